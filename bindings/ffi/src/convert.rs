//! The conversions every binding type repeats, written once.

/// Declares each binding record `$name` and `From<$core>` for it: each
/// field converted with `Into`, or with the function or closure after `=>`.
macro_rules! record {
    ($(
        $(#[$meta:meta])* pub struct $name:ident from $core:ty {
            $($(#[$fmeta:meta])* pub $field:ident: $ty:ty $(=> $conv:expr)?,)*
        }
    )*) => {$(
        $(#[$meta])*
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                $name { $($field: record!(@field value.$field $($conv)?)),* }
            }
        }
    )*};
    (@field $value:ident.$field:ident) => { $value.$field.into() };
    (@field $value:ident.$field:ident $conv:expr) => { $conv($value.$field) };
}

/// Declares the binding enum `$name` with the variants of the core enum
/// `$core`, and `From` both ways.
macro_rules! mirror_enum {
    (
        $(#[$meta:meta])* pub enum $name:ident from $core:ty {
            $($(#[$vmeta:meta])* $variant:ident,)*
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

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

/// `value` as text (an IP address, a JSON value).
pub(crate) fn text(value: impl ToString) -> String {
    value.to_string()
}

/// Every item of `items` as text.
pub(crate) fn texts<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(text).collect()
}
