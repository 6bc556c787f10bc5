// Lint: typescript-eslint's recommended rules over every TypeScript folder.
import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['node_modules/**', 'dist/**', 'docs/**', '**/*.mjs'] }, ...tseslint.configs.recommended, {
  rules: {
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
  },
});
