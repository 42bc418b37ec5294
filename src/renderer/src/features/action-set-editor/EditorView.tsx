export function EditorView() {
  return <section className="view" />;
}
