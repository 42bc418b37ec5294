/** The options of a select whose values are their own labels. */
export function Options({ values }: { values: ReadonlyArray<string | number> }) {
  return (
    <>
      {values.map((v) => (
        <option key={v} value={v}>
          {v}
        </option>
      ))}
    </>
  );
}
