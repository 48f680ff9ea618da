namespace SidePool;

/// <summary>
/// Lookups on the <see cref="IDictionary{TKey, TValue}"/> maps of KubernetesClient's types (labels, annotations, Secret
/// data). Declared in the root namespace so SidePool code finds it before the framework's IReadOnlyDictionary one.
/// </summary>
public static class DictionaryExtensions
{
    public static TValue? GetValueOrDefault<TKey, TValue>(this IDictionary<TKey, TValue>? dictionary, TKey key)
        where TKey : notnull =>
        dictionary is not null && dictionary.TryGetValue(key, out var value) ? value : default;

    public static TValue GetValueOrDefault<TKey, TValue>(this IDictionary<TKey, TValue>? dictionary, TKey key, TValue defaultValue)
        where TKey : notnull =>
        dictionary is not null && dictionary.TryGetValue(key, out var value) ? value : defaultValue;
}
