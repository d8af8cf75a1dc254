// Interrupt lines between devices and one hardware thread: a device raises
// a vector; it stays pending until the thread takes it (IF set), highest
// vector first, as an APIC prioritizes. Edge-triggered: no EOI is needed.

export class InterruptController {
  private readonly pendingVectors = new Uint8Array(256);
  private pendingCount = 0;

  raise(vector: number): void {
    const v = vector & 0xff;
    if (this.pendingVectors[v] === 0) {
      this.pendingVectors[v] = 1;
      this.pendingCount++;
    }
  }

  get hasPending(): boolean {
    return this.pendingCount !== 0;
  }

  /** Takes the highest pending vector; -1 if none. */
  take(): number {
    if (this.pendingCount === 0) return -1;
    for (let v = 255; v >= 0; v--) {
      if (this.pendingVectors[v] !== 0) {
        this.pendingVectors[v] = 0;
        this.pendingCount--;
        return v;
      }
    }
    return -1;
  }
}
