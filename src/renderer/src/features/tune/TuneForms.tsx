/**
 * The Tune view's two forms: apply a controller to a model (an architecture file or JSON, or a past
 * run's candidate) against baseline schedules, and learn a new controller over a set of networks.
 * Each checks its fields (forms.ts) and says what is wrong before anything is sent; main checks the
 * dataset and the networks' shapes before anything is recorded.
 */
import { useEffect, useState } from 'react';
import type { ActionSetRow, RunSummary } from '../../../../shared/history';
import { DATASET_NAMES } from '../../../../shared/run-config';
import { OPTIMIZERS } from '../../../../shared/training';
import { BASELINE_SCHEDULES } from '../../../../shared/tuning-api';
import { MAX_PARALLEL_EPISODES } from '../../../../shared/tuning';
import { api } from '../../api';
import { Options } from '../../components/Options';
import { useAppPick } from '../../store';
import { applyParams, DEFAULT_TRAINING, EXAMPLE_ARCHITECTURE, learnParams, type ApplyForm, type LearnForm, type Parsed, type TrainingForm } from './forms';
import { SCHEDULE_LABELS } from './model';

/** A labelled field of the Tune forms. */
function Field({ label, title, children }: { label: string; title?: string; children: React.ReactNode }) {
  return (
    <label className="tune-field" title={title}>
      <span>{label}</span>
      {children}
    </label>
  );
}

type TextKey<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F];

/** Labelled inputs bound to the text fields of a form: `field(key, label, testId, inputProps, labelTitle)`. */
function fieldsOf<F>(form: F, onChange: (patch: Partial<F>) => void) {
  return (key: TextKey<F>, label: string, testId: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}, title?: string) => (
    <Field label={label} title={title}>
      <input value={form[key] as string} onChange={(e) => onChange({ [key]: e.target.value } as Partial<F>)} data-testid={testId} {...props} />
    </Field>
  );
}

/** What is wrong with the form, when something is. */
function FormProblem({ problem }: { problem: string | null }) {
  if (!problem) return null;
  return (
    <div className="error" data-testid="tune-form-problem">
      {problem}
    </div>
  );
}

/** Sends the checked form's parameters, or says what is wrong with it and sends nothing. */
function submitChecked<P>(parsed: Parsed<Record<string, unknown>>, setProblem: (problem: string | null) => void, send: (params: P) => Promise<unknown>): void {
  if (!parsed.ok) return setProblem(parsed.problem);
  setProblem(null);
  void send(parsed.value as P);
}

function TrainingFields({ form, onChange }: { form: TrainingForm; onChange: (patch: Partial<TrainingForm>) => void }) {
  const bound = fieldsOf(form, onChange);
  const field = (key: TextKey<TrainingForm>, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => bound(key, label, `tune-${key}`, props);
  return (
    <fieldset className="tune-fieldset">
      <legend>Training</legend>
      <Field label="dataset">
        <select value={form.dataset} onChange={(e) => onChange({ dataset: e.target.value as TrainingForm['dataset'] })} data-testid="tune-dataset">
          <Options values={DATASET_NAMES} />
        </select>
      </Field>
      {field('dataDir', 'data directory', { placeholder: form.dataset === 'fashion-mnist' ? 'the default Fashion-MNIST files' : form.dataset === 'synthetic' ? 'none needed' : 'required' })}
      {field('subset', 'subset (images)', { placeholder: 'all' })}
      {field('epochs', 'epochs', { type: 'number', min: 1 })}
      {field('batchSize', 'batch size', { type: 'number', min: 1 })}
      {field('decisionsPerEpoch', 'decisions per epoch', { type: 'number', min: 1 })}
      {field('learningRate', 'initial learning rate')}
      <Field label="initial optimizer">
        <select value={form.optimizer} onChange={(e) => onChange({ optimizer: e.target.value as TrainingForm['optimizer'] })} data-testid="tune-optimizer">
          <Options values={OPTIMIZERS} />
        </select>
      </Field>
    </fieldset>
  );
}

/** A JSON architecture in a text area, or read from a file the user picks. */
function ArchitectureText({ value, onChange, testId, rows = 10 }: { value: string; onChange: (text: string) => void; testId: string; rows?: number }) {
  return (
    <div className="tune-arch">
      <textarea value={value} onChange={(e) => onChange(e.target.value)} rows={rows} spellCheck={false} data-testid={testId} />
      <label className="secondary file-button">
        Open a file…
        <input
          type="file"
          accept=".json,application/json"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void file.text().then(onChange);
          }}
          data-testid={`${testId}-file`}
        />
      </label>
    </div>
  );
}

export function ApplyFormView({ controller }: { controller?: string }) {
  const { tuneControllers, tuneApply: apply, tuneBusy: busy } = useAppPick('tuneControllers', 'tuneApply', 'tuneBusy');
  const controllers = tuneControllers.filter((c) => c.episodesDone > 0);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [form, setForm] = useState<ApplyForm>({
    controller: controller ?? controllers[0]?.name ?? '',
    model: { kind: 'json', text: EXAMPLE_ARCHITECTURE },
    training: DEFAULT_TRAINING,
    baselines: ['constant', 'cosine', 'step'],
    seeds: '0',
    fineTune: '0',
  });
  useEffect(() => {
    api.call('runs.list', { limit: 500 }).then((all) => setRuns(all.filter((r) => r.evaluator === 'training' && r.evaluations > 0)), () => undefined);
  }, []);
  useEffect(() => {
    if (!form.controller && controllers[0]) setForm((f) => ({ ...f, controller: controllers[0].name }));
  }, [controllers, form.controller]);

  const field = fieldsOf(form, (patch) => setForm({ ...form, ...patch }));
  const submit = () => submitChecked(applyParams(form), setProblem, apply);

  return (
    <form className="tune-form panel" data-testid="tune-apply-form" onSubmit={(e) => (e.preventDefault(), submit())}>
      <h2>Tune a model with a controller</h2>
      <Field label="controller">
        <select value={form.controller} onChange={(e) => setForm({ ...form, controller: e.target.value })} data-testid="tune-apply-controller">
          {controllers.length === 0 && <option value="">(none has learned yet: learn one first)</option>}
          {controllers.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.episodesDone} episodes, {c.status})
            </option>
          ))}
        </select>
      </Field>
      <fieldset className="tune-fieldset">
        <legend>Model</legend>
        <label>
          <input type="radio" checked={form.model.kind === 'json'} onChange={() => setForm({ ...form, model: { kind: 'json', text: EXAMPLE_ARCHITECTURE } })} data-testid="tune-model-json" /> an architecture (JSON)
        </label>{' '}
        <label>
          <input
            type="radio"
            checked={form.model.kind === 'candidate'}
            onChange={() => setForm({ ...form, model: { kind: 'candidate', runId: runs[0]?.id ?? '', index: String(runs[0]?.bestIndex ?? 0) } })}
            data-testid="tune-model-candidate"
          />{' '}
          a candidate of a run
        </label>
        {form.model.kind === 'json' ? (
          <ArchitectureText value={form.model.text} onChange={(text) => setForm({ ...form, model: { kind: 'json', text } })} testId="tune-model-text" />
        ) : (
          <div className="tune-candidate">
            <select
              value={form.model.runId}
              onChange={(e) => {
                const run = runs.find((r) => r.id === e.target.value);
                setForm({ ...form, model: { kind: 'candidate', runId: e.target.value, index: String(run?.bestIndex ?? 0) } });
              }}
              data-testid="tune-model-run"
            >
              {runs.length === 0 && <option value="">(no training run yet)</option>}
              {runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name ?? r.id.slice(0, 8)} · {r.dataset} · best #{r.bestIndex ?? '–'}
                </option>
              ))}
            </select>{' '}
            candidate{' '}
            <input type="number" min={0} value={form.model.index} onChange={(e) => setForm({ ...form, model: { ...form.model, index: e.target.value } as ApplyForm['model'] })} data-testid="tune-model-index" />
          </div>
        )}
      </fieldset>
      <TrainingFields form={form.training} onChange={(patch) => setForm({ ...form, training: { ...form.training, ...patch } })} />
      <fieldset className="tune-fieldset">
        <legend>Compare with</legend>
        {BASELINE_SCHEDULES.map((b) => (
          <label key={b} className="tune-check">
            <input
              type="checkbox"
              checked={form.baselines.includes(b)}
              onChange={(e) => setForm({ ...form, baselines: e.target.checked ? BASELINE_SCHEDULES.filter((x) => x === b || form.baselines.includes(x)) : form.baselines.filter((x) => x !== b) })}
              data-testid={`tune-baseline-${b}`}
            />{' '}
            {SCHEDULE_LABELS[b]}
          </label>
        ))}
        {field('seeds', 'seeds', 'tune-seeds', { placeholder: '0,1,2' })}
        {field('fineTune', 'fine-tune the controller first (episodes)', 'tune-fine-tune', { type: 'number', min: 0 })}
      </fieldset>
      <FormProblem problem={problem} />
      <button type="submit" className="primary" disabled={busy || controllers.length === 0} data-testid="tune-apply-start">
        Train with the controller and the baselines
      </button>
    </form>
  );
}

export function LearnFormView() {
  const { tuneLearn: learn, tuneBusy: busy } = useAppPick('tuneLearn', 'tuneBusy');
  const [problem, setProblem] = useState<string | null>(null);
  const [sets, setSets] = useState<ActionSetRow[]>([]);
  const [form, setForm] = useState<LearnForm>({
    name: '',
    source: 'json',
    models: `[${EXAMPLE_ARCHITECTURE}]`,
    actionSetId: '',
    count: '8',
    training: { ...DEFAULT_TRAINING, epochs: '3', subset: '1000' },
    episodes: '20',
    seed: '0',
    trainFrequencyMin: '16',
    trainFrequencyMax: '128',
    parallelEpisodes: '1',
  });
  useEffect(() => {
    api.call('actionSets.list', {}).then((rows) => {
      setSets(rows);
      setForm((f) => (f.actionSetId || rows.length === 0 ? f : { ...f, actionSetId: String(rows[0].id) }));
    }, () => undefined);
  }, []);

  const field = fieldsOf(form, (patch) => setForm({ ...form, ...patch }));
  const submit = () => submitChecked(learnParams(form), setProblem, learn);

  return (
    <form className="tune-form panel" data-testid="tune-learn-form" onSubmit={(e) => (e.preventDefault(), submit())}>
      <h2>Learn a controller</h2>
      <p className="muted">
        A PPO agent watches each network train and learns when to change its learning rate, optimizer, dropout and weight decay. Each episode trains one of these networks for the epochs below; the
        controller is saved after every episode, so a stopped one resumes where it stopped.
      </p>
      {field('name', 'name', 'tune-learn-name', { placeholder: 'e.g. fmnist-small' })}
      <fieldset className="tune-fieldset">
        <legend>Networks to learn on</legend>
        <label>
          <input type="radio" checked={form.source === 'json'} onChange={() => setForm({ ...form, source: 'json' })} data-testid="tune-learn-source-json" /> listed (a JSON list of architectures, or one)
        </label>{' '}
        <label>
          <input type="radio" checked={form.source === 'sample'} onChange={() => setForm({ ...form, source: 'sample' })} data-testid="tune-learn-source-sample" /> sampled from an action set
        </label>
        {form.source === 'json' ? (
          <ArchitectureText value={form.models} onChange={(models) => setForm({ ...form, models })} testId="tune-learn-models" rows={12} />
        ) : (
          <div className="tune-candidate">
            <select value={form.actionSetId} onChange={(e) => setForm({ ...form, actionSetId: e.target.value })} data-testid="tune-learn-action-set">
              {sets.length === 0 && <option value="">(no action set)</option>}
              {sets.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>{' '}
            networks{' '}
            <input type="number" min={1} max={50} value={form.count} onChange={(e) => setForm({ ...form, count: e.target.value })} data-testid="tune-learn-count" />
          </div>
        )}
      </fieldset>
      <TrainingFields form={form.training} onChange={(patch) => setForm({ ...form, training: { ...form.training, ...patch } })} />
      <fieldset className="tune-fieldset">
        <legend>Learning</legend>
        {field('episodes', 'episodes', 'tune-learn-episodes', { type: 'number', min: 1 })}
        {field('seed', 'seed', 'tune-learn-seed', { type: 'number', min: 0 })}
        {field('trainFrequencyMin', 'update after at least (decisions)', 'tune-learn-freq-min', { type: 'number', min: 2 }, 'the controller updates its policy after this many decisions: more often while its returns improve, less when they plateau')}
        {field('trainFrequencyMax', '… and at most', 'tune-learn-freq-max', { type: 'number', min: 2 })}
        {field('parallelEpisodes', 'episodes at once', 'tune-learn-parallel', { type: 'number', min: 1, max: MAX_PARALLEL_EPISODES }, 'more than 1: episodes run in worker processes that share the CPU, each from the controller as the batch starts')}
      </fieldset>
      <FormProblem problem={problem} />
      <button type="submit" className="primary" disabled={busy} data-testid="tune-learn-start">
        Start learning
      </button>
    </form>
  );
}
