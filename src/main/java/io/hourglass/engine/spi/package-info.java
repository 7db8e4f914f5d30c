/**
 * Ports the outside plugs into. {@link io.hourglass.engine.spi.StorageIo} carries all file I/O
 * (tests put a fault-injecting implementation behind it); LogShipper and CheckpointListener
 * (archiving) arrive with their issues. The engine calls these ports; adapters implement them.
 */
package io.hourglass.engine.spi;
