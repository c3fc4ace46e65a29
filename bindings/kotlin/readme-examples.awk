# Turns every ```kotlin block of README.md into a Kotlin file of the test
# sources, so the README's examples compile with the tests and ReadmeTest
# can run each one as a program. Block N becomes out/ExampleN.kt: package
# io.rediscloudauth.readme.exampleN, the block's own imports (so one that
# lacks an import fails to compile, as it would for a user), and the rest
# of the block, unchanged, as the body of its run(). out/Examples.kt lists
# them. Maven runs this in generate-test-sources (see pom.xml):
#   awk -v out=DIR -f readme-examples.awk README.md
BEGIN {
    if (out == "") { print "readme-examples.awk: set out=DIR" > "/dev/stderr"; exit 2 }
    # Files of blocks the README no longer has go too: the folder is this script's alone.
    if (system("mkdir -p '" out "' && rm -f '" out "'/*.kt") != 0) exit 2
}
/^```kotlin[[:space:]]*$/ { inside = 1; count++; start[count] = NR + 1; next }
inside && /^```[[:space:]]*$/ { inside = 0; next }
inside && /^import / { imports[count] = imports[count] $0 "\n"; next }
inside { body[count] = body[count] "    " $0 "\n" }
END {
    if (inside) { print "readme-examples.awk: a ```kotlin block is not closed" > "/dev/stderr"; exit 1 }
    generated = "// Generated from README.md by readme-examples.awk: edit the README, not this file."
    for (i = 1; i <= count; i++) {
        file = out "/Example" i ".kt"
        print generated > file
        print "@file:Suppress(\"UNUSED_VARIABLE\", \"unused\")" > file
        print "package io.rediscloudauth.readme.example" i "\n" > file
        printf "%s", imports[i] > file
        print "\n/** The README's example " i " (README.md line " start[i] "). */" > file
        print "fun run() {" > file
        printf "%s", body[i] > file
        print "}" > file
        close(file)
    }
    file = out "/Examples.kt"
    print generated > file
    print "package io.rediscloudauth.readme\n" > file
    print "/** Every example, in the README's order. */" > file
    printf "val readmeExamples: List<() -> Unit> = listOf(\n" > file
    for (i = 1; i <= count; i++) printf "    { io.rediscloudauth.readme.example%d.run() },\n", i > file
    print ")\n" > file
    print "/** Runs the example numbered `args[0]` (from 1), as a program of its own. */" > file
    print "fun main(args: Array<String>) = readmeExamples[args.single().toInt() - 1]()" > file
    close(file)
}
