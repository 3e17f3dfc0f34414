'use client';
import { useTranslations } from 'next-intl';
import { ConfirmDelete } from '@/components/shared/confirm-delete';
import type { FormAction } from '@/lib/views/action-result';

interface Props {
  id: number;
  name: string;
  images: number;
  action: FormAction<{ name: string }>;
}

/** Delete a dataset with an inline confirmation step that says how many images go. */
export function DeleteDatasetButton({ id, name, images, action }: Props) {
  const t = useTranslations('DeleteDataset');
  return (
    <ConfirmDelete
      action={action}
      field={{ name: 'id', value: id }}
      text={{ delete: t('delete'), label: t('deleteLabel', { name }), confirm: t('yes'), deleting: t('deleting'), cancel: t('cancel') }}
      question={t('confirm', { name, count: images })}
    />
  );
}
