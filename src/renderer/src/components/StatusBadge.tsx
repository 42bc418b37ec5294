/** A run's status as a coloured badge; the reason (why it stopped or failed) as its tooltip. */
import './common.css';

export function StatusBadge({ status, reason }: { status: string; reason?: string | null }) {
  return (
    <span className={reason ? `status status-${status} has-reason` : `status status-${status}`} title={reason ?? undefined} data-testid="run-status">
      {status}
    </span>
  );
}
