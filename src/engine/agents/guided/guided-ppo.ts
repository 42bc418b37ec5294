/**
 * PPO guided by a performance predictor: every real evaluation is used many times. After each
 * result the predictor (a Gaussian process, ../predictor) is refitted, and PPO takes many cheap
 * updates on an imagined environment whose reward is the predictor's acquisition (UCB or EI) of
 * the candidate the policy proposes. A proposal is then the best, by the acquisition, of many
 * candidates sampled from that policy and of as many uniform ones, leaving out those already
 * evaluated or being evaluated. Measured on NAS-Bench-201 (see the note of issue 14): the policy's
 * samples reach the acquisition's maximum over the whole space in the first ~30 evaluations, where
 * uniform samples fall short, but later the policy narrows to what is already known while the
 * maximum moves to unexplored cells, which the uniform samples keep in reach. Pending candidates
 * also enter the predictor at their predicted means (kriging believer), so that parallel workers
 * are not handed near-duplicates. Until `initialCandidates` results exist, proposals are uniform.
 *
 * With policySamples 0 the agent screens uniform samples alone and never trains PPO: the
 * predictor alone, the ablation that shows what the policy adds.
 *
 * Determinism: the predictor's fit is a function of the results and its state, PPO's updates of
 * its checkpoint, and the agent's own draws (uniform proposals, sampling the policy) come from one
 * seeded Rng, so checkpoint() → restore() continues exactly.
 */
import { z } from 'zod';
import { parseCheckpoint } from '../../checkpoint';
import { createRng, type Rng } from '../../random';
import type { CandidateSpace } from '../../search/space';
import type { AgentUpdate, Feedback, PendingCandidate, Proposal, SearchAgent, WarmStartResult } from '../agent';
import { PPO, type PPOConfig } from '../ppo';
import { acquisitionValue, type Acquisition } from '../predictor/acquisition';
import { Predictor, PREDICTOR_DEFAULTS, PredictorOptionsSchema, PredictorStateSchema, type Surrogate } from '../predictor/predictor';
import { sampleMasked } from '../strategy';
import { imaginedEnv, type CandidateScore, type ImaginedEnv } from './imagined-env';

const GuidedPpoOptionsSchema = z.object({
  mode: z.enum(['full', 'layerwise']),
  seed: z.int(),
  /** Results before the predictor guides proposals (uniform until then). */
  initialCandidates: z.int().positive(),
  acquisition: z.object({ kind: z.enum(['ucb', 'ei']), kappa: z.number().nonnegative() }),
  predictor: PredictorOptionsSchema,
  /** PPO timesteps on the imagined environment after each result (layer-wise: one per slot). */
  imaginedSteps: z.int().nonnegative(),
  /** Candidates sampled from the policy and screened by the acquisition per proposal (0: PPO is not used). */
  policySamples: z.int().nonnegative(),
  /** Uniform candidates screened with them: they keep the screen wide where the policy has narrowed. */
  randomSamples: z.int().nonnegative(),
});
export type GuidedPpoOptions = z.infer<typeof GuidedPpoOptionsSchema>;

export const GUIDED_PPO_DEFAULTS: GuidedPpoOptions = {
  mode: 'full',
  seed: 0,
  initialCandidates: 5,
  acquisition: { kind: 'ucb', kappa: 2 },
  predictor: PREDICTOR_DEFAULTS,
  imaginedSteps: 512,
  policySamples: 1000,
  randomSamples: 1000,
};

/** PPO on the imagined environment: steps are free, so rollouts are long and updates many. */
export const IMAGINED_PPO_DEFAULTS: Partial<PPOConfig> = {
  nSteps: 128,
  batchSize: 64,
  nEpochs: 4,
  learningRate: 1e-3,
  entCoef: 0.3,
  gamma: 1,
  gaeLambda: 1,
};

const ResultSchema = z.object({
  action: z.array(z.int().nonnegative()),
  signal: z.number(),
  /** From warmStart (an earlier run), not evaluated by this search. */
  warm: z.boolean().optional(),
});
type Result = z.infer<typeof ResultSchema>;

export const GuidedPpoCheckpointSchema = z.object({
  kind: z.literal('ppo-gp'),
  version: z.literal(1),
  nvec: z.array(z.int().positive()).min(1),
  options: GuidedPpoOptionsSchema,
  rngState: z.int(),
  results: z.array(ResultSchema),
  predictor: PredictorStateSchema,
  ppo: z.unknown(),
  /** The imagined environment's episode in progress (layer-wise). */
  imaginedPrefix: z.array(z.int().nonnegative()),
  iteration: z.int().nonnegative(),
});
export type GuidedPpoCheckpoint = z.infer<typeof GuidedPpoCheckpointSchema>;

export interface GuidedPpoSettings extends Partial<Omit<GuidedPpoOptions, 'predictor' | 'acquisition'>> {
  acquisition?: Partial<Acquisition>;
  predictor?: Partial<GuidedPpoOptions['predictor']>;
  /** PPO's settings on the imagined environment, over IMAGINED_PPO_DEFAULTS. */
  ppo?: Partial<PPOConfig>;
}

const keyOf = (action: readonly number[]) => action.join(',');

export class GuidedPpoAgent implements SearchAgent {
  readonly name: string;
  readonly options: GuidedPpoOptions;
  private readonly rng: Rng;
  private readonly predictor: Predictor;
  private readonly env: ImaginedEnv;
  private readonly ppo: PPO;
  private results: Result[] = [];
  /** Keys of every candidate with a result. */
  private readonly known = new Set<string>();
  private iteration = 0;

  constructor(
    readonly space: CandidateSpace,
    settings: GuidedPpoSettings = {},
    restore?: GuidedPpoCheckpoint,
  ) {
    const { ppo: ppoSettings, ...rest } = settings;
    this.options = restore?.options ?? {
      ...GUIDED_PPO_DEFAULTS,
      ...rest,
      acquisition: { ...GUIDED_PPO_DEFAULTS.acquisition, ...settings.acquisition },
      predictor: { ...GUIDED_PPO_DEFAULTS.predictor, ...settings.predictor },
    };
    GuidedPpoOptionsSchema.refine((o) => o.policySamples + o.randomSamples > 0, 'policySamples + randomSamples must be positive').parse(this.options);
    this.name = this.options.policySamples > 0 ? 'ppo-gp' : 'gp-random';
    this.rng = createRng(this.options.seed, restore?.rngState);
    this.predictor = new Predictor(space.nvec.length, this.options.predictor, restore?.predictor);
    this.env = imaginedEnv(space, this.options.mode);
    this.ppo = restore ? PPO.fromCheckpoint(this.env, restore.ppo) : new PPO(this.env, { ...IMAGINED_PPO_DEFAULTS, seed: this.options.seed, ...ppoSettings });
    if (restore) {
      this.env.prefix = [...restore.imaginedPrefix];
      this.iteration = restore.iteration;
      for (const r of restore.results) this.record(r);
      // The same fit as after the last result: its hyperparameters are in the predictor's state.
      if (this.results.length >= this.options.initialCandidates) this.fitPredictor();
    }
  }

  /** Continues from a checkpoint() (or its JSON) exactly: the same proposals follow. */
  static restore(space: CandidateSpace, checkpoint: unknown): GuidedPpoAgent {
    const c = parseCheckpoint(GuidedPpoCheckpointSchema, checkpoint, 'guided PPO agent');
    if (c.nvec.join() !== space.nvec.join()) throw new Error(`guided PPO checkpoint: nvec [${c.nvec}] does not match the space's [${space.nvec}]`);
    return new GuidedPpoAgent(space, {}, c);
  }

  async ask(_index: number, pending: readonly PendingCandidate[]): Promise<Proposal> {
    const excluded = new Set([...this.known, ...pending.map((p) => keyOf(p.action))]);
    const surrogate = this.predictor.surrogate;
    if (!surrogate || this.results.length < this.options.initialCandidates) return { action: this.uniformNew(excluded) };
    return this.screen(surrogate, excluded, pending);
  }

  async tell(_index: number, feedback: Feedback): Promise<AgentUpdate | undefined> {
    this.record({ action: feedback.action, signal: feedback.signal });
    return this.update();
  }

  /**
   * Results of earlier evaluations (e.g. from the history) that the predictor learns from as if
   * this search had made them; they are never proposed again. Off unless called.
   */
  async warmStart(results: readonly WarmStartResult[]): Promise<AgentUpdate | undefined> {
    for (const r of results) this.record({ action: r.action, signal: r.signal, warm: true });
    return results.length > 0 ? this.update() : undefined;
  }

  checkpoint(): GuidedPpoCheckpoint {
    return {
      kind: 'ppo-gp',
      version: 1,
      nvec: [...this.space.nvec],
      options: structuredClone(this.options),
      rngState: this.rng.state(),
      results: this.results.map((r) => ({ ...r, action: [...r.action] })),
      predictor: this.predictor.state(),
      ppo: this.ppo.checkpoint(),
      imaginedPrefix: [...this.env.prefix],
      iteration: this.iteration,
    };
  }

  private record(result: Result): void {
    const { action, signal } = result;
    if (action.length !== this.space.nvec.length || !action.every((a, s) => Number.isInteger(a) && a >= 0 && a < this.space.nvec[s]))
      throw new Error(`action ${JSON.stringify(action)} does not fit nvec ${JSON.stringify(this.space.nvec)}`);
    if (!Number.isFinite(signal)) throw new Error(`signal must be finite, got ${signal}`);
    this.results.push({ ...result, action: [...action] });
    this.known.add(keyOf(action));
  }

  private fitPredictor() {
    return this.predictor.fit(
      this.results.map((r) => r.action),
      this.results.map((r) => r.signal),
    );
  }

  /** Refits the predictor and, when the policy proposes, trains PPO on the imagined environment. */
  private async update(): Promise<AgentUpdate | undefined> {
    if (this.results.length < this.options.initialCandidates) return undefined;
    const fit = this.fitPredictor();
    const diagnostics: Record<string, number> = {
      logMarginalLikelihood: fit.logMarginalLikelihood,
      slotWeightMean: fit.slotWeightMean,
      noise: fit.noise,
      trainSize: fit.trainSize,
      refitted: fit.refitted ? 1 : 0,
    };
    if (this.options.policySamples > 0 && this.options.imaginedSteps > 0) {
      this.env.score = this.imaginedReward(this.predictor.surrogate!);
      const last = (await this.ppo.learn(this.options.imaginedSteps, { resetNumTimesteps: false })).at(-1);
      if (last) {
        diagnostics.entropy = -last.entropyLoss;
        diagnostics.approxKl = last.approxKl;
        if (last.epRewMean !== null) diagnostics.imaginedReward = last.epRewMean;
      }
    }
    this.iteration++;
    return { iteration: this.iteration, diagnostics };
  }

  /** The acquisition of an imagined candidate; one already evaluated is worth the worst result. */
  private imaginedReward(surrogate: Surrogate): CandidateScore {
    const { acquisition } = this.options;
    const floor = acquisition.kind === 'ucb' ? Math.min(...surrogate.gp.y) : 0;
    const cache = new Map<string, number>();
    return (action) => {
      const key = keyOf(action);
      let value = cache.get(key);
      if (value === undefined) {
        if (this.known.has(key)) value = floor;
        else {
          const { mean, std } = surrogate.latent([action]);
          value = acquisitionValue(acquisition, mean[0], std[0], surrogate.bestLatent);
        }
        cache.set(key, value);
      }
      return value;
    };
  }

  /** The best new candidate by the acquisition among those the proposer samples. */
  private screen(surrogate: Surrogate, excluded: Set<string>, pending: readonly PendingCandidate[]): Proposal {
    const { policySamples, randomSamples, acquisition } = this.options;
    const pool = [...(policySamples > 0 ? this.env.sampleCandidates(this.ppo, policySamples, this.rng) : []), ...Array.from({ length: randomSamples }, () => this.uniform())];
    const seen = new Set<string>();
    const candidates = pool.filter((a) => {
      const key = keyOf(a);
      if (excluded.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (candidates.length === 0) candidates.push(this.uniformNew(excluded));
    const { mean, std } = surrogate.withPending(pending.map((p) => p.action)).latent(candidates);
    let best = 0;
    let bestValue = -Infinity;
    candidates.forEach((_, i) => {
      const value = acquisitionValue(acquisition, mean[i], std[i], surrogate.bestLatent);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    const action = candidates[best];
    const own = surrogate.latent([action]);
    return { action, prediction: surrogate.toSignal(own.mean[0], own.std[0]) };
  }

  private uniform(): number[] {
    return sampleMasked(this.space.nvec, (prefix) => this.space.slotMask(prefix), this.rng.int);
  }

  /** A uniform candidate not in `excluded` (after 100 tries, whatever the last draw was). */
  private uniformNew(excluded: Set<string>): number[] {
    let action = this.uniform();
    for (let tries = 1; tries < 100 && excluded.has(keyOf(action)); tries++) action = this.uniform();
    return action;
  }
}
