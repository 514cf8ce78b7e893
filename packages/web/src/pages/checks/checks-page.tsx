/** Checks: the catalogue, one check's results by device (?check=), results by group, scans, overrides. */
import { useLocation } from '../../app/router.js';
import { CheckCatalogue } from './check-catalogue.js';
import { CheckDetail } from './check-detail.js';
import { CheckOverrides } from './check-overrides.js';
import { GroupCompliance } from './group-compliance.js';

export default function ChecksPage() {
  const { search } = useLocation();
  const check = search.get('check');
  return (
    <>
      <h1>Checks</h1>
      <div className="two-col">
        <CheckCatalogue selected={check} />
        {check ? <CheckDetail key={check} name={check} /> : <GroupCompliance />}
      </div>
      {check ? <GroupCompliance /> : null}
      <CheckOverrides check={check} />
    </>
  );
}
