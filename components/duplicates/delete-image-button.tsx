'use client';
import { useTranslations } from 'next-intl';
import { ConfirmDelete } from '@/components/shared/confirm-delete';
import type { FormAction } from '@/lib/views/action-result';

interface Props {
  imageId: number;
  label: string;
  action: FormAction<{ imageId: number }>;
}

/** Delete one image with an inline confirmation step. */
export function DeleteImageButton({ imageId, label, action }: Props) {
  const t = useTranslations('DeleteImage');
  return (
    <ConfirmDelete
      action={action}
      field={{ name: 'imageId', value: imageId }}
      text={{ delete: t('delete'), label: t('label', { id: imageId, label }), confirm: t('confirm'), deleting: t('deleting'), cancel: t('cancel') }}
      testIds={{ trigger: 'delete-image', confirm: 'confirm-delete-image' }}
    />
  );
}
