/**
 * The application menu. Built from Electron's roles, so the standard shortcuts work (copy and paste
 * in text fields need the Edit roles: without a menu that has them they do nothing on macOS).
 */
import { app, Menu, type MenuItemConstructorOptions } from 'electron';

export function applicationMenuTemplate(platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    // macOS: the first menu is the app's own, where About and Quit belong.
    template.push({
      role: 'appMenu',
      submenu: [{ role: 'about' }, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }],
    });
  }
  template.push(
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        separator,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        ...(isMac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
        { role: 'delete' },
        separator,
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        separator,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        separator,
        { role: 'togglefullscreen' },
      ],
    },
  );
  if (isMac) template.push({ role: 'windowMenu' });
  // On macOS About is in the app menu; elsewhere it is under Help.
  template.push({ role: 'help', submenu: isMac ? [] : [{ role: 'about' }] });
  return template;
}

export function installApplicationMenu(): void {
  app.setAboutPanelOptions({
    applicationName: 'geNNerator',
    applicationVersion: app.getVersion(),
    credits: 'A desktop app in which a reinforcement-learning agent designs neural networks.',
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate()));
}
