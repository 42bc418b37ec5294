// electron-vite's ambient types: `?modulePath` imports (the engine's utility-process entry) and
// `process.env.ELECTRON_RENDERER_URL`.
/// <reference types="electron-vite/node" />
