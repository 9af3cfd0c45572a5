// Files as every tool of the project reads and writes them: one input reader (regular files only,
// a size limit, no FIFO wait), one output writer (temp file and rename, links and devices as a
// shell hands them), module files compressed or not, and FileError, the one-line failure.
// Nothing here knows ELF or livepatch.
export * from './files.js';
export * from './modules.js';
