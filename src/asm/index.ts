// The assembler's API. The language is described in assembler.ts (layout),
// preprocess.ts (directives starting with %), expressions.ts and operands.ts.

export { assembleFile, assembleSource } from './assembler.ts';
export { AssemblyError, formatDiagnostic, type Diagnostic } from './diagnostics.ts';
export { readImage, writeImage } from './image.ts';
export type { AssembleOptions, LineInfo, Program, SymbolInfo } from './program.ts';
export { symbolizer } from './symbolizer.ts';
export { readRegularFile } from './sources.ts';
