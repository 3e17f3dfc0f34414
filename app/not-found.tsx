import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="empty panel">
      <h1>Not found</h1>
      <p>
        There is nothing at this address. <Link href="/">Back to search</Link>.
      </p>
    </div>
  );
}
