// What the Electron preload exposes beside window.api (not part of the Api: browser mode has no
// file paths for dropped files and types paths instead).
export interface Platform {
  /** The file-system path of a File the user dropped on the window or chose in an <input type=file> ('' when it has none). */
  pathForFile(file: File): string;
}
