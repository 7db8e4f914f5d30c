/**
 * Ports the outside plugs into. Empty until the transaction log arrives: StorageIo (files,
 * fsync, rename, with fault injection in tests), LogShipper and CheckpointListener (archiving)
 * and Clock will live here. The engine calls them; adapters implement them.
 */
package io.hourglass.engine.spi;
