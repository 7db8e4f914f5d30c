package io.hourglass.engine.txn;

/** Multi-granularity lock modes: intention shared/exclusive, shared, shared+IX, exclusive. */
public enum LockMode {
    IS, IX, S, SIX, X;

    private static final boolean[][] COMPATIBLE = {
        //          IS     IX     S      SIX    X
        /* IS  */ {true,  true,  true,  true,  false},
        /* IX  */ {true,  true,  false, false, false},
        /* S   */ {true,  false, true,  false, false},
        /* SIX */ {true,  false, false, false, false},
        /* X   */ {false, false, false, false, false},
    };

    public boolean compatibleWith(LockMode other) { return COMPATIBLE[ordinal()][other.ordinal()]; }

    /** The weakest mode that covers both (the mode after an upgrade). */
    public LockMode plus(LockMode o) {
        if (this == o) return this;
        if (this == X || o == X) return X;
        if (this == SIX || o == SIX) return SIX;
        if ((this == S && o == IX) || (this == IX && o == S)) return SIX;
        if (this == IS) return o;
        if (o == IS) return this;
        return X;
    }
}
