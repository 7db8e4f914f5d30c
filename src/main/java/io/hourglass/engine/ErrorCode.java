package io.hourglass.engine;

/**
 * The one registry of numbered errors. Numbers below 90000 are TimesTen's own (a TimesTen user
 * can look them up in TimesTen's error reference); numbers from 90000 up are Hourglass's, used
 * where no TimesTen number is known to fit. A number, once published, is never reused.
 *
 * <p>The {@link Kind} says how an adapter should report the error (HTTP status, gRPC status).
 */
public enum ErrorCode {
    CHECKPOINT_CONFLICT(625, Kind.CONFLICT, "Checkpoint cannot proceed because the following conflicting operation is in progress: %s started by connection id %d (pid %d; name '%s')"),
    CHECKPOINT_FAILED(615, Kind.UNAVAILABLE, "Checkpoint failure: %s"),
    CHECKPOINT_OUTCOME_UNKNOWN(618, Kind.UNAVAILABLE, "Cannot tell whether the checkpoint succeeded (%s); see ttCkptHistory"),
    BACKUP_NOT_ENABLED(651, Kind.CONFLICT, "Directory %s is not enabled for incremental backups of %s (%s); take a fileFullEnable backup there first"),
    DATA_STORE_RECOVERING(704, Kind.UNAVAILABLE, "Connect failed: database %s is being recovered after an invalidation; try again when the recovery completes"),
    TOO_MANY_CONNECTIONS(702, Kind.UNAVAILABLE, "Connect failed because max number of connections exceeded (max %d)"),
    MANUALLY_UNLOADED(707, Kind.UNAVAILABLE, "Attempt to connect to a data store that has been manually unloaded from RAM"),
    SPACE_EXHAUSTED(802, Kind.RESOURCE, "Database %s space exhausted%s"), // TimesTen's "memory_region": permanent (PermSize) or temporary (TempSize)
    UNIQUE_VIOLATION(907, Kind.CONFLICT, "Unique constraint (%s) violated"),
    CONNECTION_TERMINATED(994, Kind.UNAVAILABLE, "Database connection terminated. Please reconnect."),
    SYNTAX_ERROR(1001, Kind.BAD_REQUEST, "Syntax error in SQL statement at position %d: %s"),
    TABLE_NOT_FOUND(2206, Kind.NOT_FOUND, "Table %s not found"),
    TABLE_EXISTS(2207, Kind.CONFLICT, "Table %s already exists"),
    COLUMN_TWICE(2209, Kind.BAD_REQUEST, "Column %s specified more than once"),
    UPDATE_COLUMN_TWICE(2249, Kind.BAD_REQUEST, "Duplicate column name found in update set list: %s"),
    COLUMN_NOT_FOUND(2211, Kind.BAD_REQUEST, "Referenced column %s not found"),
    FOREIGN_KEY_VIOLATION(3001, Kind.CONFLICT, "Foreign key violation [%s]: %s"),
    FOREIGN_KEY_IN_USE(3003, Kind.CONFLICT, "Table/Index is in use by a foreign key: %s"),
    FOREIGN_KEY_TYPE_MISMATCH(3004, Kind.BAD_REQUEST, "Foreign key column type mismatch: %s"),
    FOREIGN_KEY_NO_UNIQUE_INDEX(3005, Kind.BAD_REQUEST, "There is no unique index on the referenced columns %s"),
    OUTER_JOIN_IN_OR(3100, Kind.BAD_REQUEST, "Outer join operator (+) in this OR expression is not supported: %s"),
    OUTER_JOIN_MISPLACED(3101, Kind.BAD_REQUEST, "Outer join operator (+) not allowed in select list, order by or group by clause (%s)"),
    OUTER_JOIN_TWO_OUTER(3102, Kind.BAD_REQUEST, "A table may be outer joined with at most one outer table: %s"),
    OUTER_JOIN_CYCLE(3103, Kind.BAD_REQUEST, "Two tables cannot be outer joined together: %s"),
    OUTER_JOIN_TWO_INNER(3104, Kind.BAD_REQUEST, "A predicate may reference only one outer-joined table: %s"),
    OUTER_JOIN_WITH_JOINED_TABLE(3108, Kind.BAD_REQUEST, "Outer join operator (+) cannot be used in query that specifies joined table"),
    MERGE_TARGET_IN_INSERT_VALUES(2951, Kind.BAD_REQUEST, "The table being merged into cannot be used for insert values: %s"),
    MERGE_ON_COLUMN_UPDATED(2953, Kind.BAD_REQUEST, "Columns referenced in the ON Clause cannot be updated: %s"),
    MERGE_TARGET_IN_INSERT_WHERE(2955, Kind.BAD_REQUEST, "Column in insert whereclause cannot refer to target table: %s"),
    INVALID_USERENV_PARAMETER(2820, Kind.BAD_REQUEST, "Invalid USERENV parameter: %s"),
    ROWNUM_WITH_FIRST_ROWS(2974, Kind.BAD_REQUEST, "Using rownum to restrict number of rows returned cannot be combined with first N or rows M to N"),
    FIRST_ROWS_NOT_POSITIVE(3105, Kind.BAD_REQUEST, "In the First or Rows Clause the number must be greater than 0: %s"),
    AGING_EXISTS(2980, Kind.CONFLICT, "Cannot add aging policy to a table with an existing aging policy. Have to drop the old aging first (%s)"),
    AGING_COLUMN_NOT_FOUND(2981, Kind.BAD_REQUEST, "Non existent column %s specified for time-based aging"),
    AGING_COLUMN_TYPE(2982, Kind.BAD_REQUEST, "Column %s specified for time-based aging is not a timestamp or date column"),
    AGING_NONE(2983, Kind.CONFLICT, "Cannot drop aging or change aging attribute of a table with no aging policy (%s)"),
    AGING_COLUMN_NULLABLE(2993, Kind.BAD_REQUEST, "Aging column cannot be nullable (%s)"),
    AGING_NOT_DEFINED(2996, Kind.CONFLICT, "Cannot start aging on table without aging policy (%s)"),
    SYNONYM_SAME_AS_OBJECT(3070, Kind.BAD_REQUEST, "Cannot create a synonym with same name as object: %s"),
    SYNONYM_NOT_FOUND(3071, Kind.NOT_FOUND, "Synonym %s does not exist"),
    PUBLIC_SYNONYM_OWNER(3073, Kind.BAD_REQUEST, "Public synonym cannot have a schema name: %s"),
    SYNONYM_LOOP(3074, Kind.BAD_REQUEST, "Looping chain of synonyms: %s"),
    SYNONYM_UNSUPPORTED(3076, Kind.BAD_REQUEST, "Using synonyms in this statement is not implemented: %s"),
    SYNONYM_UNRESOLVED(3077, Kind.NOT_FOUND, "Cannot resolve synonym %s to any existing object"),
    INVALID_COMPLEXITY_CHECKER(8529, Kind.BAD_REQUEST, "Invalid password complexity checker function %s (TimesTen's are TT_VERIFY_FUNCTION, TT_STRONG_VERIFY_FUNCTION and TT_STIG_VERIFY_FUNCTION)"),
    PREDEFINED_USER_PASSWORD(15015, Kind.BAD_REQUEST, "Cannot alter password for predefined users (%s: its password comes from the service's configuration)"),
    USER_OWNS_OBJECTS(15168, Kind.CONFLICT, "Cannot drop a user that owns database objects (%s %s)"),
    PROFILE_IN_USE(15178, Kind.CONFLICT, "Profile %s has users assigned, cannot drop without CASCADE"),
    PREDEFINED_USER_PROFILE(15185, Kind.BAD_REQUEST, "Cannot alter profile for predefined users (%s)"),
    FOREIGN_KEY_IN_CREATE_AS_SELECT(3304, Kind.BAD_REQUEST, "Foreign key definition is not allowed for CREATE TABLE AS SELECT"),
    DEADLOCK(6002, Kind.CONFLICT, "Lock request denied because of deadlock; transaction rolled back (%s)"),
    QUERY_TIMEOUT(6111, Kind.UNAVAILABLE, "SQL statement has reached its timeout limit [%d ms] and has been terminated"),
    LOCK_TIMEOUT(6003, Kind.CONFLICT, "Lock request denied because of time-out (%s)"),
    AUTHENTICATION_FAILED(7001, Kind.UNAUTHENTICATED, "User authentication failed"),

    // Hourglass-assigned numbers.
    NOT_NULL_VIOLATION(90001, Kind.BAD_REQUEST, "Column %s cannot be NULL"),
    VALUE_TOO_LONG(90002, Kind.BAD_REQUEST, "Value too long for column %s (maximum %d, actual %d)"),
    TYPE_MISMATCH(90003, Kind.BAD_REQUEST, "Type mismatch: %s"),
    NUMERIC_OVERFLOW(90004, Kind.BAD_REQUEST, "Numeric overflow: %s"),
    DIVISION_BY_ZERO(90005, Kind.BAD_REQUEST, "Division by zero"),
    PRIVILEGE_REQUIRED(90006, Kind.FORBIDDEN, "User %s lacks privilege %s"),
    INDEX_NOT_FOUND(90007, Kind.NOT_FOUND, "Index %s not found"),
    INDEX_EXISTS(90008, Kind.CONFLICT, "Index %s already exists"),
    USER_NOT_FOUND(90009, Kind.NOT_FOUND, "User %s not found"),
    USER_EXISTS(90010, Kind.CONFLICT, "User %s already exists"),
    DATABASE_NOT_FOUND(90011, Kind.NOT_FOUND, "Database %s is not defined"),
    CONNECTION_CLOSED(90012, Kind.BAD_REQUEST, "The connection is closed"),
    INVALID_ATTRIBUTE(90013, Kind.BAD_REQUEST, "Invalid connection attribute: %s"),
    WRONG_PARAMETER_COUNT(90014, Kind.BAD_REQUEST, "Statement expects %d parameter(s), got %d"),
    SEMANTIC_ERROR(90015, Kind.BAD_REQUEST, "%s"),
    UNKNOWN_PROCEDURE(90016, Kind.NOT_FOUND, "Built-in procedure %s not found"),
    AMBIGUOUS_COLUMN(90017, Kind.BAD_REQUEST, "Column reference %s is ambiguous"),
    TRANSACTION_NOT_FOUND(90018, Kind.NOT_FOUND, "Transaction %s not found or expired"),
    UNSUPPORTED(90019, Kind.BAD_REQUEST, "Not supported: %s"),
    CANNOT_DROP(90020, Kind.CONFLICT, "Cannot drop %s: %s"),
    NOT_CONNECTED(90021, Kind.BAD_REQUEST, "Not connected: the session's first request must be connect"),
    LOG_DISK_FULL(90022, Kind.RESOURCE, "The transaction log cannot grow: log file %s could not be created (%s); the commit was refused and nothing changed"),
    LOG_RECORD_TOO_LARGE(90023, Kind.RESOURCE, "A log record of %d bytes does not fit a log file of %d bytes (raise LogFileSize)"),
    DATABASE_EXISTS(90024, Kind.CONFLICT, "Database %s already exists (%s): a restore does not overwrite a database; destroy it first or restore into a new DSN"),
    ARCHIVE_RESTORE_FAILED(90025, Kind.UNAVAILABLE, "Restore from the Kafka archive failed: %s"),
    ARCHIVE_BEHIND(90026, Kind.RESOURCE, "The Kafka archive is %d MB behind (limit %d MB, hourglass.archive.hold-limit-mb): commits are refused until Kafka acknowledges the log; nothing changed"),
    DATABASE_IN_USE(90027, Kind.CONFLICT, "Database %s is in use by %d connection(s)%s"),
    FAULT_INJECTION_OFF(90028, Kind.FORBIDDEN, "Fault injection is off (set hourglass.admin.fault-injection=true, for tests only)"),
    BACKUP_FAILED(90029, Kind.UNAVAILABLE, "Backup of %s failed: %s"),
    BACKUP_UNUSABLE(90030, Kind.BAD_REQUEST, "The backup in %s cannot be used: %s"),
    BACKUP_EXISTS(90031, Kind.CONFLICT, "A backup named %s already exists in %s; use -force to replace it"),
    DATABASE_DESTROYED(90032, Kind.UNAVAILABLE, "Database %s has no files (it was destroyed): restore it, or create it empty with hourglass admin -ramLoad"),
    DATABASE_NOT_LOADED(90033, Kind.UNAVAILABLE, "Database %s is not loaded (RAM policy %s)"),
    RAM_POLICY_REFUSED(90034, Kind.CONFLICT, "%s"),
    STATEMENT_TOO_COMPLEX(90035, Kind.BAD_REQUEST, "Statement too complex: %s"),
    STATEMENT_CANCELLED(90036, Kind.UNAVAILABLE, "Statement cancelled: %s; it was undone"),
    OUT_OF_MEMORY(90037, Kind.RESOURCE, "Out of memory: the service's heap is exhausted (%s); %s was undone. Give the service more heap (-Xmx), or lower PermSize or TempSize"),
    TORN_LOG_TAIL(744, Kind.INTERNAL, "Data found after the last valid log record at %s was ignored (%s)"),
    RECOVERY_FAILED(848, Kind.UNAVAILABLE, "Recovery failed: %s. Restore the database from a backup"),
    SUBQUERY_ROWS(90038, Kind.BAD_REQUEST, "A subquery used as a value (at position %d) returned more than one row"),
    MERGE_SOURCE_ROWS(90055, Kind.BAD_REQUEST, "Unable to get a stable set of rows in the source tables: more than one source row would update the same row of %s"),
    CONNECT_BY_LOOP(90056, Kind.BAD_REQUEST, "CONNECT BY loop in user data: a row is its own ancestor (%s); CONNECT BY NOCYCLE leaves the looping child out"),
    PATH_SEPARATOR_IN_VALUE(90057, Kind.BAD_REQUEST, "SYS_CONNECT_BY_PATH's separator '%s' is part of a value on the path: '%s'"),
    ACCOUNT_LOCKED(90059, Kind.FORBIDDEN, "The account of user %s is locked; login denied. It was locked by ALTER USER ... ACCOUNT LOCK, or by failed logins (its profile's FAILED_LOGIN_ATTEMPTS) until PASSWORD_LOCK_TIME passes; a user with ADMIN unlocks it with ALTER USER ... ACCOUNT UNLOCK"),
    PROFILE_EXISTS(90060, Kind.CONFLICT, "Profile %s already exists"),
    PROFILE_NOT_FOUND(90061, Kind.NOT_FOUND, "Profile %s not found"),
    RETURNING_INTO_COUNT(3051, Kind.BAD_REQUEST, "Number of returning expressions(%d) should match the number of arguments in the INTO clause(%d)"),
    RETURNING_SEQUENCE(3053, Kind.BAD_REQUEST, "Sequence references are not allowed in the RETURNING clause"),
    RETURNING_AGGREGATE(3056, Kind.BAD_REQUEST, "Aggregate functions are not allowed in the RETURNING clause"),
    PASSWORD_EXPIRED(90063, Kind.FORBIDDEN, "The password of user %s has expired (PASSWORD EXPIRE, or its profile's PASSWORD_LIFE_TIME and PASSWORD_GRACE_TIME): the only statement its sessions may run is ALTER USER %s IDENTIFIED BY a new password, or a user with ADMIN sets one"),
    PASSWORD_REUSED(90064, Kind.BAD_REQUEST, "The password cannot be reused yet: user %s had it, and its profile's PASSWORD_REUSE_TIME %s and PASSWORD_REUSE_MAX %s must both be met first (a password comes back only after that many days and that many changes; UNLIMITED in one of them: never)"),
    TEMPORARY_TABLE_IN_USE(90065, Kind.CONFLICT, "%s of GLOBAL TEMPORARY table %s: a session holds rows in it (ON COMMIT PRESERVE ROWS); each session's TRUNCATE TABLE, or its disconnect, lets them go"),
    RETURNING_INTO_ROWS(90062, Kind.BAD_REQUEST, "RETURNING ... INTO returns one row, and the statement changed %d; it was undone. RETURNING without INTO returns every row changed"),
    REQUEST_TOO_LARGE(90058, Kind.BAD_REQUEST, "The request body of %s bytes is over the service's limit of %s bytes (quarkus.http.limits.max-body-size): send its rows in smaller requests, or raise the limit"),
    SEQUENCE_EXHAUSTED(90039, Kind.RESOURCE, "Sequence %s has reached its %s and does not CYCLE"),
    SEQUENCE_NO_CURRVAL(90040, Kind.BAD_REQUEST, "CURRVAL of sequence %s is not yet defined in this session: use NEXTVAL first"),
    SEQUENCE_NOT_FOUND(90041, Kind.NOT_FOUND, "Sequence %s not found"),
    NAME_IN_USE(90042, Kind.CONFLICT, "Name %s is already used by a %s"),
    VIEW_NOT_FOUND(90043, Kind.NOT_FOUND, "View %s not found"),
    CONSTRAINT_NOT_FOUND(90044, Kind.NOT_FOUND, "Constraint %s not found on table %s"),
    CHECK_VIOLATION(90045, Kind.BAD_REQUEST, "Check constraint %s violated: %s"),
    TABLE_REDEFINED(90046, Kind.CONFLICT, "Table %s was altered while the statement waited for it; run the statement again"),
    FLUSH_SYSTEM_MANAGED(8271, Kind.BAD_REQUEST, "Manual FLUSH operations are not allowed on cache group %s because it is system managed (FLUSH is for USERMANAGED cache groups; a write-through group sends its changes by itself)"),
    READ_ONLY_TABLE(8225, Kind.FORBIDDEN, "Table %s is read only: it is the cache table of cache group %s"),
    COMMIT_EVERY_REQUIRED(8290, Kind.BAD_REQUEST, "%s CACHE GROUP needs COMMIT EVERY n ROWS (0: one transaction)"),
    BACKEND_CONNECT_FAILED(5220, Kind.UNAVAILABLE, "Permanent backend connection failure: %s"),
    CACHE_AGENT_RUNNING(12026, Kind.CONFLICT, "The agent is already running for the database"),
    CACHE_GROUP_NOT_FOUND(90047, Kind.NOT_FOUND, "Cache group %s not found"),
    CACHE_GROUP_EXISTS(90048, Kind.CONFLICT, "Cache group %s already exists"),
    BACKEND_ERROR(90049, Kind.UNAVAILABLE, "Backend database error: %s"),
    CACHE_NOT_CONFIGURED(90050, Kind.CONFLICT, "%s"),
    BACKEND_REFUSED_CHANGE(90052, Kind.CONFLICT, "The backend refused a write-through change: %s"),
    AWT_PENDING(90053, Kind.CONFLICT, "Cache group %s has committed changes that are not in the backend yet (ASYNCHRONOUS WRITETHROUGH): LOAD and REFRESH read the backend, so they wait (LockWait, while the cache agent runs) until it has them; start the agent (CALL ttCacheStart) or CALL ttRepSubscriberWait(NULL, NULL, '_ORACLE', NULL, seconds), and try again"),
    AWT_CHANGES_LOST(90054, Kind.CONFLICT, "Cache group %s lost committed changes that never reached the backend: the log that held them was purged after its ASYNCHRONOUS WRITETHROUGH fell more than ttCacheAWTThresholdSet's %d log files behind. Its changes are no longer sent; UNLOAD CACHE GROUP then LOAD CACHE GROUP (or REFRESH CACHE GROUP) to make the cache match the backend again, and sending resumes%s"),
    CACHE_GROUP_RESTORED(90051, Kind.CONFLICT, "Cache group %s was restored: its rows are stale (and a READONLY group's change log may be the source database's); DROP CACHE GROUP (which leaves the backend alone) and CREATE it again"),
    INTERNAL(90099, Kind.INTERNAL, "Internal error: %s");

    /** How an error surfaces at the edge; adapters map it to HTTP and gRPC status codes. */
    public enum Kind { BAD_REQUEST, NOT_FOUND, CONFLICT, UNAUTHENTICATED, FORBIDDEN, RESOURCE, UNAVAILABLE, INTERNAL }

    private final int number;
    private final Kind kind;
    private final String template;

    ErrorCode(int number, Kind kind, String template) {
        this.number = number;
        this.kind = kind;
        this.template = template;
    }

    public int number() { return number; }

    public Kind kind() { return kind; }

    public String template() { return template; }

    /** Builds the exception with the formatted, numbered message. */
    public HourglassException error(Object... args) {
        return new HourglassException(this, String.format(template, args));
    }
}
