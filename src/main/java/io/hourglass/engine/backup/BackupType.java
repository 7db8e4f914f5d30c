package io.hourglass.engine.backup;

/** ttBackup's -type values, by TimesTen's names. */
public enum BackupType {
    /** A full backup (the default). */
    FILE_FULL("fileFull"),
    /** A full backup that enables later incremental backups in its directory (a Backup log hold keeps their log). */
    FILE_FULL_ENABLE("fileFullEnable"),
    /** Adds the log since the directory's last backup; TT0651 if the directory is not enabled. */
    FILE_INCREMENTAL("fileIncremental"),
    /** Incremental when the directory allows it, else fileFullEnable. */
    FILE_INCR_OR_FULL("fileIncrOrFull"),
    /** A full backup written as one stream (standard output for the command). */
    STREAM_FULL("streamFull"),
    /** Releases the Backup log hold of an enabled directory; later incrementals there are refused. */
    INCREMENTAL_STOP("incrementalStop");

    public final String label;

    BackupType(String label) { this.label = label; }

    public static BackupType parse(String s) {
        if (s == null || s.isBlank()) return FILE_FULL;
        for (BackupType t : values()) if (t.label.equalsIgnoreCase(s.trim())) return t;
        throw new IllegalArgumentException("a backup type is fileFull, fileFullEnable, fileIncremental, fileIncrOrFull, "
                + "streamFull or incrementalStop, not " + s);
    }
}
