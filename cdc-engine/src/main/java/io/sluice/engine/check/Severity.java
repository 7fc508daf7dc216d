package io.sluice.engine.check;

/** How a {@link Finding} bears on starting the pipeline. */
public enum Severity {
    /** Checked and fine. */
    OK("ok"),
    /** Not checked, and why (the server was unreachable, the server cannot tell, a right is missing to ask). */
    SKIP("skip"),
    /** The pipeline can start, but something deserves a look (another reader on the slot, a lossy mapping). */
    WARN("warn"),
    /** The pipeline cannot start, or would lose or refuse data, until this is fixed. */
    ERROR("error");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The word the report prints, e.g. {@code ok}. */
    public String label() {
        return label;
    }
}
