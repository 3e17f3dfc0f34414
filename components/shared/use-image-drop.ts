'use client';
import { useState, type DragEvent } from 'react';

/** The first image of a file list (files with no type are let through: the server decides). */
export function firstImage(files: FileList | File[] | null | undefined): File | undefined {
  return files ? Array.from(files).find((f) => f.type.startsWith('image/') || f.type === '') : undefined;
}

/** A drop zone for one image: `over` while files hover it, `onFile` with the first image dropped. */
export function useImageDrop(onFile: (file: File) => void) {
  const [over, setOver] = useState(false);
  const dropProps = {
    onDragOver(e: DragEvent) {
      if (Array.from(e.dataTransfer.types).includes('Files')) {
        e.preventDefault();
        setOver(true);
      }
    },
    onDragLeave() {
      setOver(false);
    },
    onDrop(e: DragEvent) {
      e.preventDefault();
      setOver(false);
      const file = firstImage(e.dataTransfer.files);
      if (file) onFile(file);
    },
  };
  return { over, dropProps };
}
