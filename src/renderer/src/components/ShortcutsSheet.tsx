/** The `?` sheet: every keyboard shortcut, from the one table the key handler reads. */
import { SHORTCUTS, type Shortcut } from '../lib/shortcuts';

const WHERE: Record<Shortcut['where'], string> = { anywhere: 'Anywhere', editor: 'In Action sets', live: 'In Run' };

export function ShortcutsSheet({ onClose }: { onClose(): void }) {
  const groups = (Object.keys(WHERE) as Array<Shortcut['where']>).map((where) => ({ where, items: SHORTCUTS.filter((s) => s.where === where) }));
  return (
    <div className="shortcuts-backdrop" onClick={onClose}>
      <div className="shortcuts-sheet" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="shortcuts-sheet" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          {groups.map(({ where, items }) => (
            <tbody key={where}>
              <tr>
                <th colSpan={2}>{WHERE[where]}</th>
              </tr>
              {items.map((s) => (
                <tr key={s.action} data-testid="shortcut-row" data-action={s.action}>
                  <td className="shortcut-keys">
                    {s.keys.map((combo, i) => (
                      <span key={combo.join('+')}>
                        {i > 0 && ' or '}
                        {combo.map((k) => (
                          <kbd key={k}>{k}</kbd>
                        ))}
                      </span>
                    ))}
                  </td>
                  <td>{s.what}</td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </div>
  );
}
