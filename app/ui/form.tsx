import type { FieldMetadata } from '@conform-to/react';
import { getInputProps, getSelectProps } from '@conform-to/react';

/** A labelled input with its errors announced next to it. */
export function Field({
  meta,
  label,
  type = 'text',
  hint,
  autoComplete,
}: {
  meta: FieldMetadata<string | undefined>;
  label: string;
  type?: 'text' | 'password' | 'email' | 'tel' | 'number' | 'datetime-local' | 'date';
  hint?: string;
  autoComplete?: string;
}) {
  const errorId = `${meta.id}-error`;
  const hintId = hint ? `${meta.id}-hint` : undefined;
  return (
    <div className={`field${meta.errors?.length ? ' has-error' : ''}`}>
      <label htmlFor={meta.id}>{label}</label>
      <input
        {...getInputProps(meta, { type, ariaDescribedBy: [hintId, meta.errors?.length ? errorId : undefined].filter(Boolean).join(' ') || undefined })}
        autoComplete={autoComplete}
        key={meta.key}
      />
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldErrors id={errorId} errors={meta.errors} />
    </div>
  );
}

export function SelectField({ meta, label, options }: { meta: FieldMetadata<string | undefined>; label: string; options: { value: string; label: string }[] }) {
  const errorId = `${meta.id}-error`;
  return (
    <div className={`field${meta.errors?.length ? ' has-error' : ''}`}>
      <label htmlFor={meta.id}>{label}</label>
      <select {...getSelectProps(meta)} key={meta.key}>
        <option value="">请选择</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldErrors id={errorId} errors={meta.errors} />
    </div>
  );
}

export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

export function FormErrors({ errors }: { errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <div className="form-errors" role="alert">
      {errors.map((e) => (
        <p key={e}>{e}</p>
      ))}
    </div>
  );
}
