"""Starting target processes: the payload, the transports, one process's outcome."""
