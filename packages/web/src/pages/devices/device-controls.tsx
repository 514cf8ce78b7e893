/** Buttons that change a device: scan now (analysts), revoke (admins, after a confirmation). */
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { DeviceT } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { ErrorNote } from '../../components/notice.js';

export function DeviceControls({ device, onChanged }: { device: DeviceT; onChanged: () => void }) {
  const { can } = useSession();
  const [confirming, setConfirming] = useState(false);
  const scan = useAction(() =>
    api<{ scan_id: string; online: number }>('POST', '/api/v1/checks/scan', {
      targets: { devices: [device.id] },
    }),
  );
  const revoke = useAction(() => api<DeviceT>('POST', `/api/v1/devices/${device.id}/revoke`));
  if (!can('analyst') || device.status === 'revoked') return null;
  return (
    <div className="controls">
      <button type="button" onClick={() => void scan.run()} disabled={scan.pending}>
        Scan now
      </button>
      {scan.result ? (
        <span role="status">
          {scan.result.online
            ? ' Scan sent; results arrive as the checks finish.'
            : ' The device is not online.'}
        </span>
      ) : null}
      {can('admin') ? (
        confirming ? (
          <fieldset className="confirm">
            <legend className="sr-only">Confirm revocation</legend> Revoke {device.hostname}? It disconnects
            now and can never reconnect with its key.{' '}
            <button
              type="button"
              className="danger"
              onClick={async () => {
                if (await revoke.run()) onChanged();
                setConfirming(false);
              }}
            >
              Yes, revoke
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </fieldset>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Revoke device
          </button>
        )
      ) : null}
      <ErrorNote error={scan.error ?? revoke.error} />
    </div>
  );
}
