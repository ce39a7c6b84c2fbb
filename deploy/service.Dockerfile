# One image recipe for every .NET service. Built from the repository root:
#   docker build -f deploy/service.Dockerfile --build-arg PROJECT=CoffeeMesh.Transform .
# PROJECT is the project's name (its .csproj, wherever it lives in the repository).
# Where the published app comes from (one image either way, self-contained for linux-x64):
#   PUBLISH=sdk   (default) `dotnet publish` inside SDK_IMAGE: a machine that reaches mcr.microsoft.com.
#   PUBLISH=host  the output of `dotnet publish -r linux-x64 --self-contained` made on the host, under
#                 .containers/publish/PROJECT with an `entrypoint` link to the app (scripts/containers.sh
#                 does this where no registry is reachable; BASE_IMAGE is then a local Debian image).
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG PUBLISH=sdk

FROM ${SDK_IMAGE} AS publish-sdk
ARG PROJECT
WORKDIR /src
COPY . .
RUN test -n "$PROJECT" \
 && csproj="$(find . -name "$PROJECT.csproj" -not -path '*/bin/*' -not -path '*/obj/*' | head -n1)" \
 && test -n "$csproj" \
 && dotnet publish "$csproj" -c Release -r linux-x64 --self-contained -o /app \
 && ln -s "$PROJECT" /app/entrypoint

FROM scratch AS publish-host
ARG PROJECT
COPY .containers/publish/${PROJECT}/ /app/

FROM publish-${PUBLISH} AS published

FROM ${BASE_IMAGE}
WORKDIR /app
COPY --from=published /app/ /app/
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
ENTRYPOINT ["/app/entrypoint"]
