package io.requestflow.cli.get;

/** One HTTP header line as sent or received, in order; a name may appear more than once. */
public record HeaderField(String name, String value) {

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
