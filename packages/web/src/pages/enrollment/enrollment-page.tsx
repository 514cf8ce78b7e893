/** Enrollment: create tokens and install lines, manage tokens, watch new devices arrive (admins). */
import type { EnrollmentToken, Items } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { RecentDevices } from './recent-devices.js';
import { TokenForm } from './token-form.js';
import { TokenList } from './token-list.js';

export default function EnrollmentPage() {
  const { can } = useSession();
  const tokens = useApi<Items<EnrollmentToken>>(can('admin') ? '/api/v1/enrollment-tokens' : null);
  return (
    <>
      <h1>Enrollment</h1>
      {can('admin') ? (
        <>
          <TokenForm onCreated={tokens.reload} />
          <RecentDevices />
          <TokenList tokens={tokens} />
        </>
      ) : (
        <>
          <p>Enrollment tokens are managed by admins.</p>
          <RecentDevices />
        </>
      )}
    </>
  );
}
