export function CompareView() {
  return <section className="view" />;
}
