//! The conversions every binding type repeats, written once: `From` a core
//! record field by field, `From` both ways between twin enums, `Debug` and
//! `Display` through the core value, and a list converted item by item.

/// `From<$core>` for the binding record `$name`, each field with `Into`.
macro_rules! from_core {
    ($core:ty => $name:ident { $($field:ident),* $(,)? }) => {
        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                $name { $($field: value.$field.into()),* }
            }
        }
    };
}

/// `From` both ways between the core enum `$core` and its binding twin
/// `$name`, which has the same variants.
macro_rules! mirror_enum {
    ($core:ty => $name:ident { $($variant:ident),* $(,)? }) => {
        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                type Core = $core;
                match value { $(Core::$variant => $name::$variant),* }
            }
        }

        impl From<$name> for $core {
            fn from(value: $name) -> Self {
                type Core = $core;
                match value { $($name::$variant => Core::$variant),* }
            }
        }
    };
}

/// `Debug`, `Display` or both of a wrapper as its core value's (which
/// redacts every secret).
macro_rules! fmt_as_core {
    ($name:ident: $($fmt:ident),+) => {$(
        impl std::fmt::$fmt for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::$fmt::fmt(&self.0, f)
            }
        }
    )+};
}

/// Every item of `items` converted with `Into`.
pub(crate) fn all<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(Into::into).collect()
}
