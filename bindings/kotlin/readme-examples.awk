# Turns every ```kotlin block of README.md into one function of a Kotlin
# file, so the README's examples compile with the tests and ReadmeTest can
# run each one as a program. The blocks' imports go to the top of the file;
# everything else is the function's body, unchanged. Maven runs this in
# generate-test-sources (see pom.xml):
#   awk -f readme-examples.awk README.md > ReadmeExamples.kt
/^```kotlin[[:space:]]*$/ { inside = 1; count++; start[count] = NR + 1; next }
inside && /^```[[:space:]]*$/ { inside = 0; next }
inside && /^import / {
    if (!($0 in imported)) { imported[$0] = 1; imports[++nimports] = $0 }
    next
}
inside { body[count] = body[count] "    " $0 "\n" }
END {
    if (inside) { print "readme-examples.awk: a ```kotlin block is not closed" > "/dev/stderr"; exit 1 }
    print "// Generated from README.md by readme-examples.awk: edit the README, not this file."
    print "@file:Suppress(\"UNUSED_VARIABLE\", \"unused\")"
    print "package io.rediscloudauth.readme"
    print ""
    for (i = 1; i <= nimports; i++) print imports[i]
    for (i = 1; i <= count; i++) {
        print ""
        print "/** The README's example " i " (README.md line " start[i] "). */"
        print "fun readmeExample" i "() {"
        printf "%s", body[i]
        print "}"
    }
    print ""
    print "/** Every example, in the README's order. */"
    printf "val readmeExamples: List<() -> Unit> = listOf("
    for (i = 1; i <= count; i++) printf "%s::readmeExample%d", (i > 1 ? ", " : ""), i
    print ")"
    print ""
    print "/** Runs the example numbered `args[0]` (from 1), as a program of its own. */"
    print "fun main(args: Array<String>) = readmeExamples[args.single().toInt() - 1]()"
}
