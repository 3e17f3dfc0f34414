/** Shown instead of a page when the engine cannot open (no model, bad index, bad config). */
export function EngineError({ message }: { message: string }) {
  return (
    <div className="panel stack" role="alert">
      <h1>clipdex cannot start its engine</h1>
      <p className="alert error">{message}</p>
      <p className="muted">
        Fix the cause (see the server log), then reload this page. The model folder is set by <code>CLIPDEX_MODEL_DIR</code> (default{' '}
        <code>models/mini-clip</code>), the data directory by <code>CLIPDEX_DATA_DIR</code>.
      </p>
    </div>
  );
}
