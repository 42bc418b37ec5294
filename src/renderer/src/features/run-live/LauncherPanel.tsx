/**
 * The form for a new run. It validates as you type (RunConfigSchema plus parseRunConfig's
 * cross-checks, each problem shown next to its field), starts the run with runs.start and hands
 * over to the live view of that run. Main's refusal appears next to the Start button.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { DATASET_NAMES, EVALUATOR_NAMES, NB201_DATASET_NAMES, STRATEGY_NAMES, type RunConfigField } from '../../../../shared/run-config';
import { BudgetWarning } from '../../components/BudgetWarning';
import { useApp, useAppPick } from '../../store';
import { FolderPreviewPanel } from './FolderPreviewPanel';
import { DEFAULT_LAUNCH_FORM, launchBudgetWarning, launchField, launchOptions, modeHint, RUN_ACTION_SET, validateLaunch, type LaunchField, type LaunchForm, type LaunchValidation } from './launch-form';

/** The form survives switching views. */
let lastForm: LaunchForm = DEFAULT_LAUNCH_FORM;

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const launchTestId = (field: LaunchField) => `launch-${kebab(field)}`;

function Field(props: { field: LaunchField; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <label className={props.error ? 'launch-field invalid' : 'launch-field'}>
      <span className="launch-label">{props.label}</span>
      {props.children}
      {props.error ? (
        <span className="launch-field-error" data-testid={`launch-error-${kebab(props.field)}`}>
          {props.error}
        </span>
      ) : (
        props.hint && <span className="launch-hint">{props.hint}</span>
      )}
    </label>
  );
}

/** The fields main's launch checks can refuse, as the form labels them. */
const REFUSABLE_LABELS: Record<RunConfigField, string> = {
  actionSet: 'Action set',
  mode: 'Mode',
  predictor: 'Predictor',
  warmStart: 'Warm start',
  dataDir: 'Data directory',
  image: 'Image size',
  prune: 'Early stopping',
  subset: 'Subset',
  nb201Dir: 'Tables directory',
  redis: 'Redis (remote workers)',
  controller: 'Controller',
};

/** What the data directory field takes for each dataset (in browser mode a folder is on the server). */
function dataDirHint(dataset: string, browserShell: boolean): string {
  if (dataset === 'folder') return browserShell ? 'one subfolder of PNG/JPEG images per class, on the machine running `serve`' : 'one subfolder of PNG/JPEG images per class';
  return dataset === 'cifar10' ? 'with data_batch_1.bin … test_batch.bin' : 'optional';
}

/** What each early-stopping rule does, in a few words. */
const PRUNE_HINTS: Record<string, string> = {
  none: 'every candidate trains all its epochs',
  median: 'stop below the median of earlier candidates',
  asha: 'successive halving at epochs 1, 3, 9…',
};

export function LauncherPanel(props: { onCancel?: () => void }) {
  const {
    liveActionSets: actionSets, liveLaunching: launching, liveLaunchError: launchError,
    liveLaunchRefusals: refusals, liveLaunchDraft: draft, liveStart: start,
  } = useAppPick(
    'liveActionSets', 'liveLaunching', 'liveLaunchError', 'liveLaunchRefusals', 'liveLaunchDraft',
    'liveStart',
  );
  const [form, setForm] = useState<LaunchForm>(lastForm);
  const [attempted, setAttempted] = useState(false);

  useEffect(() => {
    lastForm = form;
  }, [form]);

  // "Run again with changes": the form another view prepared.
  useEffect(() => {
    const taken = draft && useApp.getState().liveTakeLaunchDraft();
    if (taken) setForm(taken);
  }, [draft]);

  // Pick an action set once they are known (mlp: quick to train; otherwise the first).
  useEffect(() => {
    if (actionSets.length === 0) return;
    if (form.actionSet && (actionSets.some((s) => String(s.id) === form.actionSet) || (form.actionSet === RUN_ACTION_SET && form.base?.actionSet))) return;
    const preferred = actionSets.find((s) => s.name === 'mlp') ?? actionSets[0];
    setForm((f) => ({ ...f, actionSet: String(preferred.id) }));
  }, [actionSets, form.actionSet]);

  const validation = useMemo(() => validateLaunch(form, actionSets), [form, actionSets]);
  // Main's refusal (what it found in the files) shows at its field until the form changes.
  const errors: LaunchValidation['errors'] = { ...validation.errors };
  for (const { field, message } of refusals) errors[launchField(field)] ??= message;
  const errorCount = Object.keys(errors).length;

  const update = (field: LaunchField) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    if (useApp.getState().liveLaunchRefusals.length) useApp.setState({ liveLaunchRefusals: [] });
    setForm((f) => ({ ...f, [field]: value }));
  };
  const control = (field: LaunchField) => ({ value: form[field], onChange: update(field), 'data-testid': launchTestId(field), name: field });
  const options = (values: readonly string[]) =>
    values.map((v) => (
      <option key={v} value={v}>
        {v}
      </option>
    ));

  const training = form.evaluator === 'training';
  const folder = form.dataset === 'folder';
  const browserShell = useApp((s) => s.info?.shell === 'browser');
  const onSubmit = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    setAttempted(true);
    if (!validation.config || launching) return;
    await start(validation.config);
  };

  return (
    <form className="panel launch-form" data-testid="launch-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="launch-head">
        <h2>New run</h2>
        {props.onCancel && (
          <button type="button" className="secondary" onClick={props.onCancel} data-testid="launch-cancel">
            Back to the run
          </button>
        )}
      </div>

      <fieldset className="launch-group">
        <legend>Search</legend>
        <Field field="name" label="Name" error={errors.name} hint="optional">
          <input type="text" placeholder="e.g. mlp baseline" maxLength={200} {...control('name')} />
        </Field>
        <Field field="evaluator" label="Evaluator" error={errors.evaluator} hint={training ? 'trains every candidate' : 'NAS-Bench-201 table lookups'}>
          <select {...control('evaluator')}>{options(EVALUATOR_NAMES)}</select>
        </Field>
        <Field field="strategy" label="Strategy" error={errors.strategy}>
          <select {...control('strategy')}>{options(STRATEGY_NAMES)}</select>
        </Field>
        <Field field="mode" label="Mode" error={errors.mode} hint={modeHint(form.strategy, form.mode)}>
          <select {...control('mode')}>{options(launchOptions('mode'))}</select>
        </Field>
        <Field field="predictor" label="Predictor" error={errors.predictor} hint={form.predictor === 'gp' ? 'a Gaussian process the agent trains on between evaluations (ppo only)' : 'learns from real results alone'}>
          <select {...control('predictor')}>{options(launchOptions('predictor'))}</select>
        </Field>
        <Field
          field="warmStart"
          label="Warm start"
          error={errors.warmStart}
          hint={form.warmStart === 'on' ? 'the predictor first learns from earlier runs on the same search space and data' : 'starts from nothing (as benchmarks do)'}
        >
          <span className="launch-check">
            <input
              type="checkbox"
              name="warmStart"
              data-testid={launchTestId('warmStart')}
              checked={form.warmStart === 'on'}
              onChange={(e) => setForm((f) => ({ ...f, warmStart: e.target.checked ? 'on' : 'off' }))}
            />
            from earlier runs
          </span>
        </Field>
        <Field field="budget" label="Budget (candidates)" error={errors.budget}>
          <input type="number" min={1} step={1} {...control('budget')} />
        </Field>
        <Field field="timeBudget" label="Time budget (seconds)" error={errors.timeBudget} hint={form.timeBudget.trim() ? 'then no new candidate; those in training finish' : 'empty: none'}>
          <input type="number" min={1} step={1} {...control('timeBudget')} />
        </Field>
        <Field field="reward" label="Reward" error={errors.reward}>
          <select {...control('reward')}>{options(launchOptions('reward'))}</select>
        </Field>
        <Field field="seed" label="Seed" error={errors.seed}>
          <input type="number" min={0} step={1} {...control('seed')} />
        </Field>
        <Field field="backend" label="Backend" error={errors.backend}>
          <select {...control('backend')}>{options(launchOptions('backend'))}</select>
        </Field>
      </fieldset>

      <fieldset className={training ? 'launch-group' : 'launch-group unused'}>
        <legend>Training {training ? '' : <span className="launch-hint">(not used by the nb201 evaluator)</span>}</legend>
        <Field field="dataset" label="Dataset" error={errors.dataset}>
          <select {...control('dataset')}>{options(DATASET_NAMES)}</select>
        </Field>
        <Field field="dataDir" label={folder ? 'Folder' : 'Data directory'} error={errors.dataDir} hint={dataDirHint(form.dataset, browserShell)}>
          <input type="text" placeholder={folder ? '/path/to/images' : form.dataset === 'cifar10' ? '/path/to/cifar-10-batches-bin' : 'default location'} {...control('dataDir')} />
        </Field>
        {folder && (
          <>
            <Field field="imageSize" label="Image size (pixels)" error={errors.imageSize} hint="each image is resized to this square">
              <input type="number" min={4} max={512} step={1} {...control('imageSize')} />
            </Field>
            <Field field="channels" label="Channels" error={errors.channels}>
              <select {...control('channels')}>
                <option value="3">RGB (3)</option>
                <option value="1">grayscale (1)</option>
              </select>
            </Field>
            <FolderPreviewPanel form={form} />
          </>
        )}
        <Field field="actionSet" label="Action set" error={errors.actionSet}>
          <select {...control('actionSet')}>
            {actionSets.length === 0 && !form.base?.actionSet && <option value="">(loading…)</option>}
            {form.base?.actionSet && <option value={RUN_ACTION_SET}>{form.base.actionSet.name} (as in the earlier run)</option>}
            {actionSets.map((s) => (
              <option key={s.id} value={String(s.id)}>
                {s.name}
                {s.builtin ? '' : ' (yours)'}
              </option>
            ))}
          </select>
        </Field>
        <Field field="epochs" label="Epochs" error={errors.epochs}>
          <input type="number" min={1} step={1} {...control('epochs')} />
        </Field>
        <Field field="subset" label="Subset (training images)" error={errors.subset} hint="empty: all">
          <input type="number" min={1} step={1} placeholder="all" {...control('subset')} />
        </Field>
        <Field field="learningRate" label="Learning rate" error={errors.learningRate}>
          <input type="number" min={0} step="any" {...control('learningRate')} />
        </Field>
        <Field field="batchSize" label="Batch size" error={errors.batchSize}>
          <input type="number" min={1} step={1} {...control('batchSize')} />
        </Field>
        <Field
          field="selectiveBackprop"
          label="Selective backprop β"
          error={errors.selectiveBackprop}
          hint={form.selectiveBackprop.trim() === '' ? 'empty: off (every sample backpropagated)' : 'backpropagates about 1/(β + 1) of the samples, the biggest losses first'}
        >
          <input type="number" min={0} step="any" placeholder="off" {...control('selectiveBackprop')} />
        </Field>
        <Field field="keepModels" label="Keep models" error={errors.keepModels} hint={form.keepModels === 'best' ? 'weights of each new best' : 'weights of every candidate'}>
          <select {...control('keepModels')}>{options(launchOptions('keepModels'))}</select>
        </Field>
        <Field field="workers" label="Workers" error={errors.workers} hint={form.workers.trim() === '1' ? 'one candidate at a time' : 'candidates trained at once'}>
          <input type="number" min={1} step={1} {...control('workers')} />
        </Field>
        <Field field="prune" label="Early stopping" error={errors.prune} hint={PRUNE_HINTS[form.prune] ?? ''}>
          <select {...control('prune')}>{options(launchOptions('prune'))}</select>
        </Field>
        <Field
          field="redis"
          label="Redis (remote workers)"
          error={errors.redis}
          hint={form.redis.trim() === '' ? 'empty: train on this machine' : 'candidates queued there for `gennerator worker` processes; Workers is how many are in flight'}
        >
          <input type="text" placeholder="redis://host:6379" autoComplete="off" {...control('redis')} />
        </Field>
      </fieldset>

      <fieldset className={training ? 'launch-group unused' : 'launch-group'}>
        <legend>NAS-Bench-201 {training ? <span className="launch-hint">(nb201 evaluator only)</span> : ''}</legend>
        <Field field="nb201Dataset" label="Table column" error={errors.nb201Dataset}>
          <select {...control('nb201Dataset')}>{options(NB201_DATASET_NAMES)}</select>
        </Field>
        <Field field="nb201Dir" label="Tables directory" error={errors.nb201Dir} hint="optional: the bundled tables otherwise">
          <input type="text" placeholder="default location" {...control('nb201Dir')} />
        </Field>
      </fieldset>

      <BudgetWarning message={launchBudgetWarning(form, actionSets)} testId="launch-budget-warning" />
      <div className="launch-actions">
        <button type="submit" className="primary" disabled={launching} data-testid="launch-start">
          {launching ? 'Starting…' : 'Start run'}
        </button>
        {refusals.length > 0 ? (
          <span className="error" role="alert" data-testid="launch-refused">
            Not started, nothing was recorded. {refusals.map((r) => `${REFUSABLE_LABELS[r.field]}: ${r.fix}`).join('; ')}
          </span>
        ) : launchError ? (
          <span className="error" role="alert" data-testid="launch-error">
            {launchError}
          </span>
        ) : errors.form ? (
          <span className="error" data-testid="launch-error">
            {errors.form}
          </span>
        ) : (
          attempted &&
          errorCount > 0 && (
            <span className="error" data-testid="launch-error">
              {errorCount === 1 ? 'one field needs attention' : `${errorCount} fields need attention`}
            </span>
          )
        )}
      </div>
    </form>
  );
}
