export function LiveView() {
  return <section className="view" />;
}
