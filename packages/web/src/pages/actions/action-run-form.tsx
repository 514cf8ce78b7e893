/**
 * Run an action: parameters from its schema (software.deploy: a package picked from the software
 * library, or the schema's URL fields), targets, reason; a dry run or the real thing.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { ActionRunT, TargetsT } from '../../api/types.js';
import { useAction } from '../../app/use-action.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { TargetPicker } from '../queries/target-picker.js';
import type { CatalogueEntry } from './action-types.js';
import { DEPLOY_ACTION, type DeploySource, deployParams } from './deploy-source.js';
import { PackagePicker } from './package-picker.js';
import { SchemaForm } from './schema-form.js';
import { type FormValues, type ParamsSchema, toParams } from './schema-params.js';

export function ActionRunForm({
  action,
  onStarted,
}: {
  action: CatalogueEntry;
  onStarted: (run: ActionRunT) => void;
}) {
  const [values, setValues] = useState<FormValues>({});
  const [targets, setTargets] = useState<TargetsT | null>({ all: true });
  const [reason, setReason] = useState('');
  const [source, setSource] = useState<DeploySource>('library');
  const [packageId, setPackageId] = useState('');
  const isDeploy = action.name === DEPLOY_ACTION;
  const create = useAction((body: Record<string, unknown>) =>
    api<ActionRunT>('POST', '/api/v1/actions', body),
  );
  const schema = action.params as unknown as ParamsSchema;
  const start = async (dryRun: boolean) => {
    if (!targets) return;
    const run = await create.run({
      action: action.name,
      params: isDeploy ? deployParams(source, packageId, schema, values) : toParams(schema, values),
      targets,
      dry_run: dryRun,
      ...(reason ? { reason } : {}),
    });
    if (run) onStarted(run);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void start(false);
  };
  return (
    <Panel title={`Run ${action.name}`}>
      <p>{action.description}</p>
      <p className="muted small">
        Risk {action.risk}; times out after {action.timeout_s} s.
        {action.needs_approval ? ' A second admin must approve a run before it starts.' : ''}
        {action.undo ? ` Undo: ${action.undo}.` : ''}
      </p>
      <form onSubmit={submit} aria-label={`Run ${action.name}`}>
        {isDeploy ? (
          <PackagePicker
            source={source}
            onSource={setSource}
            packageId={packageId}
            onPackage={setPackageId}
          />
        ) : null}
        {!isDeploy || source === 'url' ? (
          <SchemaForm schema={schema} values={values} onChange={setValues} />
        ) : null}
        <TargetPicker onChange={setTargets} />
        <label>
          Reason (kept in the audit log)
          <input maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <div className="row-buttons">
          {action.dry_run ? (
            <button
              type="button"
              disabled={create.pending || !targets}
              onClick={(e) => {
                const form = e.currentTarget.form;
                if (form?.reportValidity()) void start(true);
              }}
            >
              Dry run
            </button>
          ) : null}
          <button type="submit" className="danger" disabled={create.pending || !targets}>
            {action.needs_approval ? 'Request run' : 'Run action'}
          </button>
        </div>
        <ErrorNote error={create.error} />
      </form>
    </Panel>
  );
}
