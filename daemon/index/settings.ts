// PLACEHOLDER until settings land: the types the rest of the daemon codes against.
export interface GlobalSettings {
  embedding: { model: string; batchSize: number };
  daemon: { idleTimeoutMinutes: number };
  index: { maxMemoryMB: number };
}
export const DEFAULT_GLOBAL_SETTINGS: GlobalSettings = {
  embedding: { model: 'builtin', batchSize: 32 },
  daemon: { idleTimeoutMinutes: 60 },
  index: { maxMemoryMB: 2048 },
};
export class SettingsError extends Error {}
export function loadGlobalSettings(_home: string): GlobalSettings { return DEFAULT_GLOBAL_SETTINGS; }
export function globalSettingsMtime(_home: string): number | null { return null; }
