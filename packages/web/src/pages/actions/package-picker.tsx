/** software.deploy's source: a package of the software library (a list to pick from) or a URL. */
import type { SoftwarePackageT } from '@vigil/protocol';
import type { Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { type DeploySource, packageLabel } from './deploy-source.js';

export function PackagePicker({
  source,
  onSource,
  packageId,
  onPackage,
}: {
  source: DeploySource;
  onSource: (s: DeploySource) => void;
  packageId: string;
  onPackage: (id: string) => void;
}) {
  const packages = useApi<Page<SoftwarePackageT>>('/api/v1/software?limit=500');
  const items = packages.data?.items ?? [];
  return (
    <fieldset>
      <legend>Package</legend>
      <label className="radio">
        <input type="radio" checked={source === 'library'} onChange={() => onSource('library')} /> From the
        software library
      </label>
      <label className="radio">
        <input type="radio" checked={source === 'url'} onChange={() => onSource('url')} /> From a URL (file
        served elsewhere)
      </label>
      {source === 'library' ? (
        <>
          <ErrorNote error={packages.error} />
          {packages.data && items.length === 0 ? (
            <p className="muted">
              The software library is empty: upload a package first (<code>vigil software upload FILE</code>).
            </p>
          ) : (
            <label>
              Library package (required)
              <select required value={packageId} onChange={(e) => onPackage(e.target.value)}>
                <option value="">{packages.data ? 'Choose a package…' : 'Loading packages…'}</option>
                {items.map((p) => (
                  <option key={p.id} value={p.id}>
                    {packageLabel(p)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <p className="muted small">
            The server gives the agents the package's download path and SHA-256; each agent checks the file
            against it before installing. <Link to="/actions">Runs</Link> show what each device installed.
          </p>
        </>
      ) : null}
    </fieldset>
  );
}
