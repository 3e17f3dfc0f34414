'use client';
import { useEffect, useRef, useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { DIRECTIONS, K_CHOICES, directionOf, hasImage, isRunnable, searchHref, type SearchDirection, type SearchQuery, type SearchRanking } from '@/lib/views/search-query';
import { ImageQueryInput, type QueryImage } from './image-query-input';
import { RankingControl } from './ranking-control';
import type { ApiErrorBody, SearchPageView } from '@/lib/views/search-view';

interface Props {
  query: SearchQuery;
  datasets: string[];
  queryImage: QueryImage | null;
}

/**
 * The search controls. Text searches and control changes navigate to a new URL (the page renders
 * the first results on the server); an image from the picker, a drop or a paste is first posted to
 * /api/search, which keeps it and answers with its id, so the URL can name it too.
 */
export function SearchForm({ query, datasets, queryImage }: Props) {
  const t = useTranslations('SearchForm');
  const router = useRouter();
  // On a phone the options (k, minimum score, dataset) fold behind a button; always open on wider screens.
  const [optionsOpen, setOptionsOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  // The form works in directions (text/image → image/text); the URL holds the query and `mode`.
  const [mode, setMode] = useState<SearchDirection>(directionOf(query));
  const [q, setQ] = useState(query.q);
  const [k, setK] = useState(query.k);
  const [min, setMin] = useState(query.min);
  const [dataset, setDataset] = useState(query.dataset);
  const [ranking, setRanking] = useState<SearchRanking>(query.ranking);
  const [collapse, setCollapse] = useState(query.collapse);
  // issue 11: a text beside an image refines it ("but red"); kept while the image stays.
  const [refine, setRefine] = useState(hasImage(query) ? query.q : '');
  const [image, setImage] = useState<QueryImage | null>(queryImage);
  const [uploading, setUploading] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const textRef = useRef<HTMLInputElement>(null);
  const sliderTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // Text typed into the server-rendered box before React hydrated it is in the DOM but not in
  // state (React keeps the DOM value of a controlled input on hydration and fires no change
  // event): adopt it once on mount, so the first Enter searches what the user sees.
  useEffect(() => {
    const typed = textRef.current?.value;
    if (typed !== undefined && typed !== query.q) setQ(typed);
  }, []); // once, on mount

  // Follow the URL when it changes from outside (back/forward, a "more like this" link). Only on a
  // change: the state starts from the same query, and re-setting it would undo the adoption above
  // (compared by identity, so React's development double-run of effects is a no-op too).
  const followed = useRef({ query, queryImage });
  useEffect(() => {
    if (followed.current.query === query && followed.current.queryImage === queryImage) return;
    followed.current = { query, queryImage };
    setMode(directionOf(query));
    setQ(query.q);
    setK(query.k);
    setMin(query.min);
    setDataset(query.dataset);
    setRanking(query.ranking);
    setCollapse(query.collapse);
    setRefine(hasImage(query) ? query.q : '');
    setImage(queryImage);
    setMessage(null);
  }, [query, queryImage]);

  type Draft = { mode: SearchDirection; q: string; k: number; min: number; dataset: string; ranking: SearchRanking; collapse: boolean; refine: string };

  /** The query the controls describe, with `overrides`; `dir` is the direction it was built for. */
  function build(overrides: Partial<Draft> = {}, img: QueryImage | null = image): SearchQuery & { dir: SearchDirection } {
    const d: Draft = { mode, q, k, min, dataset, ranking, collapse, refine, ...overrides };
    const byImage = d.mode.startsWith('i');
    return {
      dir: d.mode,
      mode: d.mode.endsWith('i') ? 'image' : 'text',
      ranking: d.ranking,
      collapse: d.collapse,
      q: byImage ? d.refine : d.q,
      k: d.k,
      min: d.min,
      dataset: d.dataset,
      like: byImage ? img?.like : undefined,
      qimg: byImage ? img?.qimg : undefined,
    };
  }

  function go(next: SearchQuery & { dir: SearchDirection }) {
    if (!isRunnable(next)) {
      if (next.dir.startsWith('t')) {
        setMessage(t('typeSomething'));
        textRef.current?.focus();
      } else setMessage(t('needImage'));
      return;
    }
    setMessage(null);
    startTransition(() => router.push(searchHref(next)));
  }

  function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    // What the box shows is what is searched (the DOM value, should state lag behind it).
    const text = textRef.current?.value ?? q;
    if (text !== q) setQ(text);
    // Typing text means a text search, whatever mode was showing.
    if (mode.startsWith('i') && text.trim() && !image) {
      setMode('t2i');
      go(build({ mode: 't2i', q: text }));
      return;
    }
    // With an image, the text refines it.
    if (mode.startsWith('i')) {
      setRefine(text);
      go(build({ q: text, refine: text }));
      return;
    }
    go(build({ q: text }));
  }

  function onModeChange(next: SearchDirection) {
    setMode(next);
    const candidate = build({ mode: next });
    if (isRunnable(candidate)) go(candidate);
    else setMessage(null);
  }

  function applySoon(overrides: Partial<Draft>, delay = 0) {
    clearTimeout(sliderTimer.current);
    const candidate = build(overrides);
    if (!isRunnable(candidate)) return;
    sliderTimer.current = setTimeout(() => go(candidate), delay);
  }

  async function onImage(file: File) {
    setUploading(true);
    setMessage(null);
    const nextMode: SearchDirection = mode === 't2i' ? 'i2i' : mode === 't2t' ? 'i2t' : mode;
    const body = new FormData();
    body.set('image', file);
    body.set('mode', nextMode === 'i2t' ? 'text' : 'image');
    body.set('k', String(k));
    body.set('min', String(min));
    if (dataset) body.set('dataset', dataset);
    try {
      const res = await fetch('/api/search', { method: 'POST', body });
      const json = (await res.json().catch(() => null)) as SearchPageView | ApiErrorBody | null;
      if (!res.ok || !json || 'error' in json) {
        const msg = json && 'error' in json ? json.error.message : t('serverAnswered', { status: res.status });
        setMessage(t('imageRefused', { message: msg }));
        return;
      }
      const qimg = json.query.qimg;
      const img: QueryImage = { qimg, src: `/api/queries/${qimg}`, alt: file.name || 'uploaded image' };
      setImage(img);
      setMode(nextMode);
      setRefine('');
      startTransition(() => router.push(searchHref(build({ mode: nextMode, refine: '' }, img))));
    } catch (err) {
      setMessage(t('uploadFailed', { message: (err as Error).message }));
    } finally {
      setUploading(false);
    }
  }

  function clearImage() {
    setImage(null);
    setRefine('');
    if (mode.startsWith('i')) setMode('t2i');
    textRef.current?.focus();
  }

  const busy = pending || uploading;
  return (
    <form className="search-form" role="search" onSubmit={onSubmit} aria-busy={busy}>
      <div className="query-row">
        <label htmlFor="q" className="visually-hidden">
          {t('searchText')}
        </label>
        <input
          ref={textRef}
          id="q"
          name="q"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t('placeholder')}
          autoComplete="off"
          maxLength={500}
          lang="mul"
        />
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? t('searching') : t('search')}
        </button>
      </div>

      <div className="row">
        <fieldset className="modes" aria-label={t('mode')} style={{ padding: 0, margin: 0 }}>
          {DIRECTIONS.map((m) => (
            <label key={m.value} title={t(`${m.value}Title`)}>
              <input type="radio" name="direction" value={m.value} checked={mode === m.value} onChange={() => onModeChange(m.value)} />
              <span>{t(m.value)}</span>
            </label>
          ))}
        </fieldset>
      </div>

      <RankingControl
        ranking={ranking}
        collapse={collapse}
        disabled={mode.endsWith('t')}
        onRanking={(r) => {
          setRanking(r);
          applySoon({ ranking: r });
        }}
        onCollapse={(c) => {
          setCollapse(c);
          applySoon({ collapse: c });
        }}
      />

      <ImageQueryInput image={image} busy={uploading} onFile={onImage} onClear={clearImage} active={mode.startsWith('i')} />

      <button
        type="button"
        className="btn small options-toggle"
        aria-expanded={optionsOpen}
        aria-controls="search-options"
        onClick={() => setOptionsOpen((o) => !o)}
      >
        {t('options')}
      </button>
      <div className={`controls${optionsOpen ? '' : ' folded'}`} id="search-options">
        <div className="field">
          <label htmlFor="k">{t('k')}</label>
          <select
            id="k"
            value={k}
            onChange={(e) => {
              const v = Number(e.target.value);
              setK(v);
              applySoon({ k: v });
            }}
          >
            {[...new Set([...K_CHOICES, k])].sort((a, b) => a - b).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="min">{t('min')}</label>
          <div className="range-row">
            <input
              id="min"
              type="range"
              min={0}
              max={1}
              step={0.01}
              value={min}
              onChange={(e) => {
                const v = Number(e.target.value);
                setMin(v);
                applySoon({ min: v }, 450);
              }}
              aria-describedby="min-value"
            />
            <output id="min-value" htmlFor="min">
              {min.toFixed(2)}
            </output>
          </div>
        </div>
        <div className="field">
          <label htmlFor="dataset">{t('dataset')}</label>
          <select
            id="dataset"
            value={dataset}
            onChange={(e) => {
              setDataset(e.target.value);
              applySoon({ dataset: e.target.value });
            }}
          >
            <option value="">{t('allDatasets')}</option>
            {datasets.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
            {dataset && !datasets.includes(dataset) ? <option value={dataset}>{t('notFound', { name: dataset })}</option> : null}
          </select>
        </div>
      </div>
      <p className="small" role="status" aria-live="polite" style={{ margin: 0, minHeight: '1.3em', color: message ? 'var(--danger)' : undefined }}>
        {message ?? (busy ? t('searching') : '')}
      </p>
    </form>
  );
}
