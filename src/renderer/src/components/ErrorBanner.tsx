/** A failed request or action, in words: across the app, or inline in a view (then dismissable when it can be). */
import './common.css';

export function ErrorBanner(props: { message: string | null; inline?: boolean; testId?: string; onDismiss?: () => void }) {
  if (!props.message) return null;
  return (
    <div className={props.inline ? 'error-banner inline' : 'error-banner'} role="alert" data-testid={props.testId}>
      {props.message}
      {props.onDismiss && (
        <>
          {' '}
          <button className="icon-button" onClick={props.onDismiss} title="Dismiss">
            ✕
          </button>
        </>
      )}
    </div>
  );
}
