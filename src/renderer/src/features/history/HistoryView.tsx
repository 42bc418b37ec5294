export function HistoryView() {
  return <section className="view" />;
}
