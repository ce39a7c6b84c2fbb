using System.Diagnostics;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Telemetry;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Ingestions;

/// <summary>
/// Reads an ingestion's source from its watermark to its end, publishing one RawSalesBatch per
/// chunk and advancing the watermark after each publish. A crash between the two re-reads and
/// re-publishes the same batch under the same message id, which the downstream inbox drops: no
/// row is lost and none is stored twice.
/// </summary>
public sealed class IngestionRunner(
    IngestionStore ingestions,
    LandingFolder landing,
    Ledger.IngestionLedger ledger,
    Ledger.LedgerSignal signal,
    IOptions<IngestOptions> options,
    ILogger<IngestionRunner> logger)
{
    public async Task RunAsync(IngestionRequested request, IPublishEndpoint publisher, CancellationToken ct)
    {
        var id = request.IngestionId;
        var r = await ingestions.GetAsync(id, ct) ?? await AdoptAsync(request, ct);
        if (r is null) return;
        if (r.State is IngestionStates.Read or IngestionStates.Failed) return; // a redelivered request

        var path = landing.Resolve(r.Source);
        if (path is null || !File.Exists(path))
        {
            await ingestions.FinishAsync(r, $"source '{r.Source}' was not found under the landing folder", null, ct);
            return;
        }

        var layout = r.NextOffset > 0 && r.Separator is { Length: 1 } sep && r.ColumnMap is not null
            ? SourceLayout.Deserialize(sep[0], r.ColumnMap)
            : null;
        var start = layout is null ? new ReadPosition(0, 1) : new ReadPosition(r.NextOffset, r.NextLine);
        // Without a saved layout (nothing read yet) reading starts at the header; a landing file's
        // appended region is read with the layout saved from its header.
        if (layout is null && r.StartOffset > 0)
        {
            await ingestions.FinishAsync(r, "appended rows cannot be read: the file's header layout is unknown", null, ct);
            return;
        }
        var sequence = r.NextSequence;
        var rowsRead = r.RowsRead;
        var o = options.Value;
        var reader = new SalesFileReader(o.MaxLineBytes, o.MaxRecordBytes, o.MaxLinesPerRecord, o.DefaultDateOrder);
        var readAhead = new ReadAhead(r.Id, o.MaxBatchesAhead, c => StoredBatchesAsync(r.Id, c), logger, signal.WaitAsync);
        // Every message of the ingestion, through every stage, carries its creation time (landing-to-star-schema time).
        using var carried = CarriedHeaders.BeginIngestion(r.CreatedAt);
        try
        {
            await foreach (var chunk in reader.ReadAsync(path, start, r.EndOffset, layout, r.BatchSize, ct))
            {
                var expected = sequence;
                if (chunk.Count > 0)
                {
                    await readAhead.WaitForRoomAsync(sequence, ct);
                    var started = Stopwatch.GetTimestamp();
                    var batch = chunk.ToBatch(r.Id, r.Number, sequence, r.From, r.To);
                    await publisher.Publish(batch, ctx => ctx.MessageId = MessageIds.For("raw", r.Id, sequence), ct);
                    PipelineMetrics.BatchDone("ingest", chunk.Count, chunk.Count, 0, started);
                    sequence++;
                    rowsRead += chunk.Count;
                }
                layout = chunk.ResumeLayout;
                if (!await ingestions.AdvanceAsync(r.Id, expected, chunk, sequence, rowsRead, ct))
                {
                    logger.LogWarning("Ingestion {IngestionId} was advanced by another reader; this one stops", r.Id);
                    return;
                }
            }
            await ingestions.FinishAsync(r, null, layout, ct);
            logger.LogInformation("Ingestion {IngestionId} read {Rows} rows in {Batches} batches from {Source}, {Waited:F1} s of it waiting for the writer",
                r.Id, rowsRead, sequence, r.Source, readAhead.Waited.TotalSeconds);
        }
        catch (SourceFormatException e)
        {
            logger.LogWarning("Ingestion {IngestionId} failed: {Error}", r.Id, e.Message);
            await ingestions.FinishAsync(r, e.Message, layout, ct);
        }
    }

    /// <summary>oltp-writer's stored batches of an ingestion, from the ledger; null while its database does not answer.</summary>
    private async Task<int?> StoredBatchesAsync(Guid id, CancellationToken ct)
    {
        try { return await ledger.BatchesAsync(id, Ledger.IngestionLedger.OltpWriter, ct); }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning("Ingestion {IngestionId}: the ledger did not answer ({Error})", id, e.Message);
            return null;
        }
    }

    /// <summary>
    /// A request published straight onto the bus (not through the API) has no record yet: create
    /// it here, or drop the request with a warning when its source is not a file under the landing folder.
    /// </summary>
    private async Task<IngestionRecord?> AdoptAsync(IngestionRequested request, CancellationToken ct)
    {
        var path = landing.Resolve(request.Source);
        if (path is null || !File.Exists(path) || (request.From is { } f && request.To is { } t && f > t))
        {
            logger.LogWarning("Ingestion {IngestionId} requested on the bus for '{Source}': not a file under the landing folder (or from > to); dropped",
                request.IngestionId, request.Source);
            return null;
        }
        var record = new IngestionRecord
        {
            Id = request.IngestionId,
            Source = landing.Relative(path),
            From = request.From,
            To = request.To,
            BatchSize = options.Value.BatchSize,
            EndOffset = new FileInfo(path).Length,
        };
        try { await ingestions.CreateAsync(record, ct, announce: false); }
        catch (MySqlConnector.MySqlException e) when (e.ErrorCode == MySqlConnector.MySqlErrorCode.DuplicateKeyEntry) { } // a redelivery raced us
        return await ingestions.GetAsync(request.IngestionId, ct);
    }
}
