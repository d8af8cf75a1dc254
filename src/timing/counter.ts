// The starting value of a field that counts cycles or instructions, or holds
// a time in cycles.
//
// V8 stores a number field of a class as a small integer (a Smi) when its
// first value is one, and changes the field to a double, for every object of
// the class at once, when a value that is not arrives: a count past 2^31, a
// time of Infinity, a value read from a Float64Array (the thread areas the
// region compiler shares with the interpreter are one). The change replaces
// the class's hidden class, and every function compiled against the old one
// is thrown away at its next use: the interpreter loop, the VMX unit, the
// scheduler, each recompiled in the middle of a run. A field that starts as
// a double never changes. Zero written in the source is a Smi; a zero read
// from a Float64Array is a double.

/** Zero, held as a double: the first value of a cycle or instruction count. */
export const COUNTER_ZERO: number = new Float64Array(1)[0];
