// Keeps every module library non-empty while its layer is being written.
