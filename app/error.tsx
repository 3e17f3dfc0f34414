'use client';
import { useEffect } from 'react';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="panel stack" role="alert">
      <h1>Something went wrong</h1>
      <p className="alert error">
        This page could not be shown{error.digest ? ` (error ${error.digest}; the server log has the details)` : ''}.
      </p>
      <p>
        <button type="button" className="btn primary" onClick={reset}>
          Try again
        </button>
      </p>
    </div>
  );
}
