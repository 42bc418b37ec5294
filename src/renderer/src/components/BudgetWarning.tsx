/** The one line that says a run's agent cannot learn with its budget (agentBudgetWarning): the launcher, the live view and the agent view show it alike. */
import './common.css';

export function BudgetWarning({ message, testId }: { message: string | null; testId: string }) {
  if (!message) return null;
  return (
    <div className="budget-warning" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}
