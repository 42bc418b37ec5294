/** Per-env returns and lengths of the episodes in progress, and the last 100 finished (SB3's ep_info_buffer). */
export class EpisodeStats {
  returns: Float64Array;
  lengths: Int32Array;
  finished: { r: number; l: number }[] = [];

  constructor(nEnvs: number) {
    this.returns = new Float64Array(nEnvs);
    this.lengths = new Int32Array(nEnvs);
  }

  /** One step of env `env`'s episode. */
  step(env: number, reward: number, done: boolean): void {
    this.returns[env] += reward;
    this.lengths[env] += 1;
    if (!done) return;
    this.finished.push({ r: this.returns[env], l: this.lengths[env] });
    if (this.finished.length > 100) this.finished.shift();
    this.returns[env] = 0;
    this.lengths[env] = 0;
  }

  /** Every env starts a new episode. */
  restart(): void {
    this.returns.fill(0);
    this.lengths.fill(0);
  }

  meanReturn(): number | null {
    return this.finished.length ? this.finished.reduce((a, e) => a + e.r, 0) / this.finished.length : null;
  }

  meanLength(): number | null {
    return this.finished.length ? this.finished.reduce((a, e) => a + e.l, 0) / this.finished.length : null;
  }
}
