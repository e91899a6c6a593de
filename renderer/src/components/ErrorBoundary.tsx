// The last line of defence: a screen that throws while drawing shows what went wrong and a way out,
// rather than React unmounting everything to a blank window.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { crashMessage } from '../logic/crash.js';

interface State {
  message: string | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { message: null };

  static getDerivedStateFromError(error: unknown): State {
    return { message: crashMessage(error) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    // Kept for whoever opens the developer tools: where in the tree it broke.
    console.error('The window stopped drawing:', error, info.componentStack);
  }

  override render() {
    if (this.state.message === null) return this.props.children;
    return (
      <div className="boot boot-error" role="alert" data-testid="crash">
        <h1>Something went wrong in this window</h1>
        <p className="mono">{this.state.message}</p>
        <p>Reload to start this window again.</p>
        <button type="button" className="btn primary" onClick={() => location.reload()}>Reload</button>
      </div>
    );
  }
}
