// One read-only markdown document under its own URI scheme, whose text the extension replaces: shown again and again
// it stays one tab (the status and doctor views), never a new Untitled file to discard.
import * as vscode from 'vscode';

export class ReadOnlyDocument implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private text = '';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly uri: vscode.Uri;
  private readonly registration: vscode.Disposable;

  constructor(scheme: string, path: string) {
    this.uri = vscode.Uri.from({ scheme, path });
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  provideTextDocumentContent(): string {
    return this.text;
  }

  /** Replaces the text; an editor showing the document follows. */
  set(text: string): void {
    this.text = text;
    this.changed.fire(this.uri);
  }

  async show(): Promise<void> {
    const document = await vscode.workspace.openTextDocument(this.uri);
    await vscode.window.showTextDocument(document, { preview: true });
  }

  get visible(): boolean {
    return vscode.window.visibleTextEditors.some((editor) => editor.document.uri.toString() === this.uri.toString());
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
