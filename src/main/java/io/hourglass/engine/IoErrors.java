package io.hourglass.engine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * What an I/O failure says in an error message. The JDK's file exceptions often carry only the
 * path as their message ({@code NoSuchFileException: /backups/x}), which read as "Backup of db
 * failed: /backups/x" told the user nothing about what went wrong with it.
 */
public final class IoErrors {
    private IoErrors() {}

    public static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "no such file or directory: " + x.getFile();
            case AccessDeniedException x -> "permission denied: " + x.getFile();
            case FileAlreadyExistsException x -> "already exists: " + x.getFile();
            case NotDirectoryException x -> "not a directory: " + x.getFile();
            case DirectoryNotEmptyException x -> "directory not empty: " + x.getFile();
            case FileSystemException x when x.getReason() != null -> x.getFile() + ": " + x.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
