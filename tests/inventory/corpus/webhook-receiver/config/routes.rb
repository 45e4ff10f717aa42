Rails.application.routes.draw do
  post "webhooks/procore", to: "webhooks#create"
  get "projects/:id/rfis", to: "rfis#index"
end
