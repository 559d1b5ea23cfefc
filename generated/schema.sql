-- The schema the migrations build, read from a scratch database. Generated; do not edit.
-- Regenerate: kmigrate schema dump. Checked in CI: kmigrate schema dump --check.
-- dialect: postgres
-- schemas: public
-- format: 1
-- migrations fingerprint: 765d2aefc5235679ade8fc7fa0a944e9924bbda91aa8d686b3c401bb8486f01a

table public.ai_cost_logs
    forceRowLevelSecurity: false
    partitioned: false
    rowLevelSecurity: false
    unlogged: false
  column public.ai_cost_logs.cost_usd
      nullable: false
      type: numeric(18,8)
  column public.ai_cost_logs.created_at
      default: now()
      nullable: false
      type: timestamp with time zone
  column public.ai_cost_logs.id
      identity: by default
      nullable: false
      type: bigint
  column public.ai_cost_logs.input_tokens
      nullable: false
      type: integer
  column public.ai_cost_logs.latency_ms
      nullable: false
      type: integer
  column public.ai_cost_logs.model
      nullable: false
      type: text
  column public.ai_cost_logs.output_tokens
      nullable: false
      type: integer
  column public.ai_cost_logs.project_id
      nullable: false
      type: integer
  column public.ai_cost_logs.provider
      nullable: false
      type: text
  column public.ai_cost_logs.request_id
      nullable: false
      type: text
  constraint public.ai_cost_logs.ai_cost_logs_cost_usd_check
      deferrable: false
      definition: CHECK (cost_usd >= 0::numeric)
      initiallyDeferred: false
      type: check
  constraint public.ai_cost_logs.ai_cost_logs_input_tokens_check
      deferrable: false
      definition: CHECK (input_tokens >= 0)
      initiallyDeferred: false
      type: check
  constraint public.ai_cost_logs.ai_cost_logs_latency_ms_check
      deferrable: false
      definition: CHECK (latency_ms >= 0)
      initiallyDeferred: false
      type: check
  constraint public.ai_cost_logs.ai_cost_logs_output_tokens_check
      deferrable: false
      definition: CHECK (output_tokens >= 0)
      initiallyDeferred: false
      type: check
  constraint public.ai_cost_logs.ai_cost_logs_pkey
      deferrable: false
      definition: PRIMARY KEY (id)
      initiallyDeferred: false
      type: primary key
  constraint public.ai_cost_logs.ai_cost_logs_project_id_fkey
      deferrable: false
      definition: FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE
      initiallyDeferred: false
      onDelete: cascade
      onUpdate: no action
      references: public.projects
      type: foreign key
  constraint public.ai_cost_logs.ai_cost_logs_project_id_request_id_key
      deferrable: false
      definition: UNIQUE (project_id, request_id)
      initiallyDeferred: false
      type: unique
  index public.ai_cost_logs_project_id_created_at_idx
      columns: project_id, created_at
      method: btree
      nullsNotDistinct: false
      unique: false

table public.policies
    forceRowLevelSecurity: false
    partitioned: false
    rowLevelSecurity: true
    unlogged: false
  column public.policies.created_at
      default: now()
      nullable: false
      type: timestamp with time zone
  column public.policies.enabled
      default: true
      nullable: false
      type: boolean
  column public.policies.id
      identity: by default
      nullable: false
      type: integer
  column public.policies.kind
      nullable: false
      type: text
  column public.policies.limit_amount
      nullable: false
      type: numeric(18,8)
  column public.policies.name
      nullable: false
      type: text
  column public.policies.period
      nullable: false
      type: text
  column public.policies.project_id
      nullable: false
      type: integer
  column public.policies.rules
      default: '{}'::jsonb
      nullable: false
      type: jsonb
  column public.policies.updated_at
      default: now()
      nullable: false
      type: timestamp with time zone
  constraint public.policies.policies_kind_check
      deferrable: false
      definition: CHECK (kind = ANY (ARRAY['budget'::text, 'token_limit'::text]))
      initiallyDeferred: false
      type: check
  constraint public.policies.policies_limit_amount_check
      deferrable: false
      definition: CHECK (limit_amount >= 0::numeric)
      initiallyDeferred: false
      type: check
  constraint public.policies.policies_period_check
      deferrable: false
      definition: CHECK (period = ANY (ARRAY['day'::text, 'month'::text, 'total'::text]))
      initiallyDeferred: false
      type: check
  constraint public.policies.policies_pkey
      deferrable: false
      definition: PRIMARY KEY (id)
      initiallyDeferred: false
      type: primary key
  constraint public.policies.policies_project_id_fkey
      deferrable: false
      definition: FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE
      initiallyDeferred: false
      onDelete: cascade
      onUpdate: no action
      references: public.projects
      type: foreign key
  constraint public.policies.policies_project_id_name_key
      deferrable: false
      definition: UNIQUE (project_id, name)
      initiallyDeferred: false
      type: unique
  constraint public.policies.policies_rules_check
      deferrable: false
      definition: CHECK (jsonb_typeof(rules) = 'object'::text)
      initiallyDeferred: false
      type: check
  policy public.policies.policies_delete_own
      command: delete
      permissive: true
      roles: [authenticated]
      using: |
        (EXISTS ( SELECT 1
           FROM (public.projects p
             JOIN public.users u ON ((u.id = p.owner_id)))
          WHERE ((p.id = policies.project_id) AND (u.email = ((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::jsonb ->> 'email'::text)))))
  policy public.policies.policies_insert_own
      command: insert
      permissive: true
      roles: [authenticated]
      withCheck: |
        (EXISTS ( SELECT 1
           FROM (public.projects p
             JOIN public.users u ON ((u.id = p.owner_id)))
          WHERE ((p.id = policies.project_id) AND (u.email = ((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::jsonb ->> 'email'::text)))))
  policy public.policies.policies_select_own
      command: select
      permissive: true
      roles: [authenticated]
      using: |
        (EXISTS ( SELECT 1
           FROM (public.projects p
             JOIN public.users u ON ((u.id = p.owner_id)))
          WHERE ((p.id = policies.project_id) AND (u.email = ((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::jsonb ->> 'email'::text)))))
  policy public.policies.policies_update_own
      command: update
      permissive: true
      roles: [authenticated]
      using: |
        (EXISTS ( SELECT 1
           FROM (public.projects p
             JOIN public.users u ON ((u.id = p.owner_id)))
          WHERE ((p.id = policies.project_id) AND (u.email = ((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::jsonb ->> 'email'::text)))))
      withCheck: |
        (EXISTS ( SELECT 1
           FROM (public.projects p
             JOIN public.users u ON ((u.id = p.owner_id)))
          WHERE ((p.id = policies.project_id) AND (u.email = ((NULLIF(current_setting('request.jwt.claims'::text, true), ''::text))::jsonb ->> 'email'::text)))))

table public.project_api_keys
    forceRowLevelSecurity: false
    partitioned: false
    rowLevelSecurity: false
    unlogged: false
  column public.project_api_keys.created_at
      default: now()
      nullable: false
      type: timestamp with time zone
  column public.project_api_keys.id
      identity: by default
      nullable: false
      type: integer
  column public.project_api_keys.key_hash
      nullable: false
      type: text
  column public.project_api_keys.key_prefix
      nullable: false
      type: text
  column public.project_api_keys.name
      nullable: false
      type: text
  column public.project_api_keys.project_id
      nullable: false
      type: integer
  column public.project_api_keys.revoked_at
      nullable: true
      type: timestamp with time zone
  constraint public.project_api_keys.project_api_keys_key_hash_check
      deferrable: false
      definition: CHECK (length(key_hash) = 64)
      initiallyDeferred: false
      type: check
  constraint public.project_api_keys.project_api_keys_key_hash_key
      deferrable: false
      definition: UNIQUE (key_hash)
      initiallyDeferred: false
      type: unique
  constraint public.project_api_keys.project_api_keys_pkey
      deferrable: false
      definition: PRIMARY KEY (id)
      initiallyDeferred: false
      type: primary key
  constraint public.project_api_keys.project_api_keys_project_id_fkey
      deferrable: false
      definition: FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE
      initiallyDeferred: false
      onDelete: cascade
      onUpdate: no action
      references: public.projects
      type: foreign key
  index public.project_api_keys_project_id_idx
      columns: project_id
      method: btree
      nullsNotDistinct: false
      unique: false

table public.projects
    forceRowLevelSecurity: false
    partitioned: false
    rowLevelSecurity: false
    unlogged: false
  column public.projects.created_at
      default: now()
      nullable: false
      type: timestamp with time zone
  column public.projects.id
      identity: by default
      nullable: false
      type: integer
  column public.projects.name
      nullable: false
      type: text
  column public.projects.owner_id
      nullable: false
      type: integer
  column public.projects.updated_at
      default: now()
      nullable: false
      type: timestamp with time zone
  constraint public.projects.projects_owner_id_fkey
      deferrable: false
      definition: FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE CASCADE
      initiallyDeferred: false
      onDelete: cascade
      onUpdate: no action
      references: public.users
      type: foreign key
  constraint public.projects.projects_owner_id_name_key
      deferrable: false
      definition: UNIQUE (owner_id, name)
      initiallyDeferred: false
      type: unique
  constraint public.projects.projects_pkey
      deferrable: false
      definition: PRIMARY KEY (id)
      initiallyDeferred: false
      type: primary key
  index public.projects_owner_id_idx
      columns: owner_id
      method: btree
      nullsNotDistinct: false
      unique: false

table public.users
    forceRowLevelSecurity: false
    partitioned: false
    rowLevelSecurity: false
    unlogged: false
  column public.users.auth_user_id
      nullable: true
      type: uuid
  column public.users.created_at
      default: now()
      nullable: false
      type: timestamp with time zone
  column public.users.display_name
      nullable: true
      type: text
  column public.users.email
      nullable: false
      type: text
  column public.users.id
      identity: by default
      nullable: false
      type: integer
  column public.users.updated_at
      default: now()
      nullable: false
      type: timestamp with time zone
  constraint public.users.users_auth_user_id_fkey
      deferrable: false
      definition: FOREIGN KEY (auth_user_id) REFERENCES auth.users(id) ON DELETE SET NULL
      initiallyDeferred: false
      onDelete: set null
      onUpdate: no action
      references: auth.users
      type: foreign key
  constraint public.users.users_email_key
      deferrable: false
      definition: UNIQUE (email)
      initiallyDeferred: false
      type: unique
  constraint public.users.users_pkey
      deferrable: false
      definition: PRIMARY KEY (id)
      initiallyDeferred: false
      type: primary key
  index public.users_auth_user_id_key
      columns: auth_user_id
      method: btree
      nullsNotDistinct: false
      unique: true
